import CMountShims
import Glibc
import SystemPackage

/// fanotify mount notifications (6.15+): `FAN_MNT_ATTACH` and `FAN_MNT_DETACH` for
/// every mount attached to or detached from one mount namespace, each naming the
/// mount by its unique 64-bit id (the id `statmount(2)` takes). Close it with `close()`.
public final class FanotifyMounts {
  /// One mount event.
  public struct Event: Hashable, Sendable {
    /// The mount's unique id (`STATX_MNT_ID_UNIQUE`, statmount's `mnt_id`).
    public var mountID: UInt64
    public var attached: Bool
    public var detached: Bool
  }

  public let descriptor: FileDescriptor

  /// Watches the mount namespace of `namespacePath` (e.g. `/proc/self/ns/mnt`).
  ///
  /// - Throws: `EINVAL` on kernels before 6.15 (no `FAN_REPORT_MNT`); `EPERM` without
  ///   `CAP_SYS_ADMIN` over the namespace.
  ///
  /// The corresponding C calls are `fanotify_init(FAN_REPORT_MNT)` and
  /// `fanotify_mark(FAN_MARK_ADD | FAN_MARK_MNTNS, FAN_MNT_ATTACH | FAN_MNT_DETACH)`.
  public init(namespacePath: FilePath) throws(KernelError) {
    // /proc/N/ns/mnt is a magic link: it must be followed.
    let namespace = try valueOrError("open", at: namespacePath) { open($0, O_RDONLY | O_CLOEXEC) }
    defer { _ = Glibc.close(namespace) }
    descriptor = FileDescriptor(
      rawValue: try valueOrError("fanotify_init FAN_REPORT_MNT", namespacePath) {
        rcs_fanotify_mount_events(namespace)
      })
  }

  /// Everything queued now (empty when nothing is).
  public func read() throws(KernelError) -> [Event] {
    var events: [Event] = []
    var ids = [UInt64](repeating: 0, count: 100)
    var masks = [UInt64](repeating: 0, count: 100)
    while true {
      let count = try valueOrError("read fanotify") { rcs_fanotify_read_mounts(descriptor.rawValue, &ids, &masks, 100) }
      for index in 0..<Int(count) {
        events.append(
          Event(
            mountID: ids[index], attached: masks[index] & RCS_FAN_MNT_ATTACH != 0,
            detached: masks[index] & RCS_FAN_MNT_DETACH != 0))
      }
      if count == 0 { return events }
    }
  }

  /// Where the mount of unique id `id` is attached, as its namespace sees it; nil when
  /// it is gone. The corresponding C call is `statmount(2)` with `STATMOUNT_MNT_POINT`.
  public static func mountPoint(of id: UInt64) throws(KernelError) -> String? {
    var buffer = [CChar](repeating: 0, count: 4097)
    do {
      _ = try valueOrError("statmount STATMOUNT_MNT_POINT") { rcs_statmount_mount_point(id, &buffer, buffer.count) }
    } catch let error where error.errno == .noSuchFileOrDirectory {
      return nil
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  public func close() { try? descriptor.close() }
}
