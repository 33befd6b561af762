import Glibc
import SystemPackage

/// User and group names through NSS (`/etc/passwd`, `/etc/group`, or whatever
/// `nsswitch.conf` says), the way `chown` and `mount` resolve them.
public enum NameService {
  /// One user's uid and primary gid, or nil when NSS knows no such user. The
  /// corresponding C call is `getpwnam_r(3)`.
  public static func user(named name: String) throws(KernelError) -> (uid: UInt32, primaryGroup: UInt32)? {
    try withGrowingBuffer("getpwnam_r") { buffer in
      var entry = passwd()
      var result: UnsafeMutablePointer<passwd>?
      let code = getpwnam_r(name, &entry, buffer.baseAddress!, buffer.count, &result)
      return (code, result == nil ? nil : (entry.pw_uid, entry.pw_gid))
    }
  }

  /// One group's gid, or nil when NSS knows no such group. The corresponding C call
  /// is `getgrnam_r(3)`.
  public static func group(named name: String) throws(KernelError) -> UInt32? {
    try withGrowingBuffer("getgrnam_r") { buffer in
      var entry = Glibc.group()
      var result: UnsafeMutablePointer<group>?
      let code = getgrnam_r(name, &entry, buffer.baseAddress!, buffer.count, &result)
      return (code, result == nil ? nil : entry.gr_gid)
    }
  }

  /// Calls `body` with a scratch buffer for the entry's strings, again after
  /// `EINTR`, and with a larger one while NSS answers `ERANGE` (large groups need
  /// more than the usual 1 KiB). `body` returns the call's error number (these
  /// calls return it rather than set errno) and what it found.
  private static func withGrowingBuffer<T>(
    _ call: String, _ body: (UnsafeMutableBufferPointer<CChar>) -> (Int32, T?)
  ) throws(KernelError) -> T? {
    var size = 1024
    while true {
      let (code, found) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { body($0) }
      switch Errno(rawValue: code) {
      case _ where code == 0: return found
      case .interrupted: continue
      case .outOfRange where size < 1 << 24: size *= 4
      case let error: throw KernelError(call, error)
      }
    }
  }
}
