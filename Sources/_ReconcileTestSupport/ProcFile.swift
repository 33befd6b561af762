import Foundation

/// Reads files under /proc whole. They report size 0, and on this toolchain
/// `String(contentsOfFile:)` stops after the first read (about 4 KiB of
/// /proc/self/mountinfo) and `FileManager.copyItem` copies nothing.
public enum ProcFile {
  /// The whole file, read to end of file.
  public static func read(_ path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
    defer { try? handle.close() }
    return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
  }
}
