import Glibc
import SystemPackage

extension FileDescriptor {
  /// `fstat(2)`, as swift-system's `Stat`, with the call in the error.
  public func status() throws(KernelError) -> Stat {
    do {
      return try stat()
    } catch {
      throw KernelError("fstat", error)
    }
  }

  /// Reads to end of file, at most `limit` bytes (nil: no limit). A file that has more
  /// is read up to `limit + 1` bytes, so the caller can tell it grew too large.
  /// `/proc` files say size 0, so the size is never trusted.
  public func readAll(limit: Int? = nil) throws(KernelError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while limit.map({ bytes.count <= $0 }) ?? true {
      let count: Int
      do {
        count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
      } catch {
        throw KernelError("read", error as? Errno ?? .ioError)
      }
      if count == 0 { break }
      bytes += chunk[..<count]
    }
    return bytes
  }
}

extension Stat {
  /// Writable by group or others.
  public var isWritableByOthers: Bool { !permissions.isDisjoint(with: [.groupWrite, .otherWrite]) }
}

extension Errno {
  /// The calling thread's errno now.
  static var current: Errno { Errno(rawValue: Glibc.errno) }
}
