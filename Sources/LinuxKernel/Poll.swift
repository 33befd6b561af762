import Glibc
import SystemPackage

/// `poll(2)` over a few descriptors: how the watcher sleeps until the mount table,
/// an inotify or fanotify queue, or a signal has something.
public enum Poll {
  /// What to wait for on one descriptor, and what happened there.
  public struct Events: OptionSet, Hashable, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// Data to read. The corresponding C constant is `POLLIN`.
    public static let readable = Events(rawValue: Int16(POLLIN))
    /// An exceptional condition: for `/proc/self/mountinfo`, the mount table changed
    /// since the file was last polled. The corresponding C constant is `POLLPRI`.
    public static let priority = Events(rawValue: Int16(POLLPRI))
    /// The corresponding C constant is `POLLERR`.
    public static let error = Events(rawValue: Int16(POLLERR))
  }

  /// Waits until one of `descriptors` has one of its events, or `timeout` seconds
  /// pass (nil: no limit). A signal that interrupts the wait ends it early with
  /// nothing reported.
  ///
  /// - Returns: per descriptor, in order, what happened (empty when nothing did).
  public static func wait(
    _ descriptors: [(FileDescriptor, Events)], timeout: Double?
  ) throws(KernelError) -> [Events] {
    var fds = descriptors.map { pollfd(fd: $0.0.rawValue, events: $0.1.rawValue, revents: 0) }
    let milliseconds = timeout.map { Int32(max(0, min($0, 86_400)) * 1000 + 0.999) } ?? -1
    let result = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
    if result < 0 {
      let error = Errno.current
      if error == .interrupted { return descriptors.map { _ in [] } }
      throw KernelError("poll", error)
    }
    return fds.map { Events(rawValue: $0.revents) }
  }
}
