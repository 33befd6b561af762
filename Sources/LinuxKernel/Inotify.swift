import Glibc
import SystemPackage

/// An `inotify(7)` instance: the watcher's view of the config file, the manifests and
/// the lease lock directories. Non-blocking and close-on-exec; close it with `close()`.
public final class Inotify {
  /// What to be told about a watched directory's entries.
  public struct Mask: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// A file opened for writing was closed. The corresponding C constant is `IN_CLOSE_WRITE`.
    public static let closeWrite = Mask(rawValue: UInt32(IN_CLOSE_WRITE))
    /// A file opened read-only was closed (a lease's lock, when its holder exits or is
    /// killed). The corresponding C constant is `IN_CLOSE_NOWRITE`.
    public static let closeNoWrite = Mask(rawValue: UInt32(IN_CLOSE_NOWRITE))
    /// The corresponding C constant is `IN_MOVED_TO`.
    public static let movedTo = Mask(rawValue: UInt32(IN_MOVED_TO))
    /// The corresponding C constant is `IN_MOVED_FROM`.
    public static let movedFrom = Mask(rawValue: UInt32(IN_MOVED_FROM))
    /// The corresponding C constant is `IN_CREATE`.
    public static let create = Mask(rawValue: UInt32(IN_CREATE))
    /// The corresponding C constant is `IN_DELETE`.
    public static let delete = Mask(rawValue: UInt32(IN_DELETE))
    /// Metadata changed (mode, owner). The corresponding C constant is `IN_ATTRIB`.
    public static let attributes = Mask(rawValue: UInt32(IN_ATTRIB))
    /// The watched directory itself was removed, moved or unmounted.
    /// The corresponding C constants are `IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT`.
    public static let selfGone = Mask(rawValue: UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
    /// The kernel dropped events: the queue overflowed. The corresponding C constant is `IN_Q_OVERFLOW`.
    public static let overflow = Mask(rawValue: UInt32(IN_Q_OVERFLOW))
    /// The watch was removed. The corresponding C constant is `IN_IGNORED`.
    public static let ignored = Mask(rawValue: UInt32(IN_IGNORED))
    /// The event is about a directory. The corresponding C constant is `IN_ISDIR`.
    public static let isDirectory = Mask(rawValue: UInt32(IN_ISDIR))
  }

  /// One event: the watch it came from, what happened, and the entry's name (empty
  /// for the watched directory itself).
  public struct Event: Hashable, Sendable {
    public var watch: Int32
    public var mask: Mask
    public var name: String
  }

  public let descriptor: FileDescriptor

  /// The corresponding C call is `inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`.
  public init() throws(KernelError) {
    descriptor = FileDescriptor(
      rawValue: try valueOrError("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) })
  }

  /// Watches `path` (a directory, its last component not followed), returning the
  /// watch's number. The corresponding C call is `inotify_add_watch(2)`.
  public func addWatch(_ path: FilePath, _ mask: Mask) throws(KernelError) -> Int32 {
    try valueOrError("inotify_add_watch", at: path) {
      inotify_add_watch(descriptor.rawValue, $0, mask.rawValue | UInt32(IN_DONT_FOLLOW | IN_ONLYDIR))
    }
  }

  /// Stops a watch. The corresponding C call is `inotify_rm_watch(2)`.
  public func removeWatch(_ watch: Int32) {
    _ = inotify_rm_watch(descriptor.rawValue, watch)
  }

  /// Everything queued now (empty when nothing is). The corresponding C call is `read(2)`.
  public func read() throws(KernelError) -> [Event] {
    var events: [Event] = []
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor.rawValue, $0.baseAddress, $0.count) }
      if count < 0 {
        let error = Errno.current
        if error == .interrupted { continue }
        if error == .wouldBlock { return events }
        throw KernelError("read inotify", error)
      }
      if count == 0 { return events }
      var offset = 0
      let header = MemoryLayout<inotify_event>.size
      while offset + header <= count {
        let (watch, mask, length) = buffer.withUnsafeBytes { raw in
          (
            raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
            raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
            Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
          )
        }
        let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)].prefix { $0 != 0 }
        events.append(Event(watch: watch, mask: Mask(rawValue: mask), name: String(decoding: nameBytes, as: UTF8.self)))
        offset += header + length
      }
    }
  }

  public func close() { try? descriptor.close() }
}
