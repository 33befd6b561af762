import SystemPackage

/// The effects the applier needs from the kernel, one method per act. The kernel
/// implementation is `KernelMountSystem`; tests substitute a recording fake.
public protocol MountSystem {
  /// The id of the top mount at `path` (statx `STATX_MNT_ID`), reached beneath
  /// `root` without following a symlink.
  func mountID(at path: String, beneath root: String) -> Result<Int, Errno>
  /// Removes the top mount at `path`, reached beneath `root` without following a
  /// symlink; never lazily. The corresponding C call is `umount2(2)` with
  /// `UMOUNT_NOFOLLOW`.
  func unmount(_ path: String, beneath root: String) -> Result<Void, Errno>
  /// Creates `path` and missing parents beneath `root`, mode 0755, never following a
  /// symlink. Returns false when it already existed.
  func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, MountSystemError>
  /// Removes an empty directory, reached beneath `root` without following a symlink.
  /// The corresponding C call is `unlinkat(2)` with `AT_REMOVEDIR`.
  func removeDirectory(_ path: String, beneath root: String) -> Result<Void, Errno>
  /// Mounts an overlay at `target`, opened beneath `root`, and makes it private.
  func mountOverlay(_ overlay: ResolvedOverlay, at target: String, beneath root: String)
    -> Result<Void, MountSystemError>
  /// Binds `bind.source` at `target` (read-only and idmapped as asked) and makes it
  /// private.
  func mountBind(_ bind: ResolvedBind, at target: String, beneath root: String)
    -> Result<Void, MountSystemError>
}

/// A failed kernel call, with which call and, where the kernel says more (overlayfs
/// writes its reason to the fs context), that text.
public struct MountSystemError: Error, Hashable, Sendable, CustomStringConvertible {
  public var call: String
  public var path: String
  public var errno: Errno
  public var detail: String?

  public init(call: String, path: String, errno: Errno, detail: String? = nil) {
    self.call = call
    self.path = path
    self.errno = errno
    self.detail = detail
  }

  public var description: String {
    var text = "\(call) \(path): \(errno.description) (\(errnoName(errno)))"
    if let detail, !detail.isEmpty { text += ": \(detail)" }
    return text
  }
}

/// The C name of an errno value, for logs that people grep.
func errnoName(_ errno: Errno) -> String {
  switch errno {
  case .resourceBusy: return "EBUSY"
  case .invalidArgument: return "EINVAL"
  case .noSuchFileOrDirectory: return "ENOENT"
  case .permissionDenied: return "EACCES"
  case .notPermitted: return "EPERM"
  case .improperLink: return "EXDEV"
  case .tooManySymbolicLinkLevels: return "ELOOP"
  case .notDirectory: return "ENOTDIR"
  case .directoryNotEmpty: return "ENOTEMPTY"
  case .fileExists: return "EEXIST"
  case .noFunction: return "ENOSYS"
  case .overflow: return "EOVERFLOW"
  case .argListTooLong: return "E2BIG"
  case .badFileDescriptor: return "EBADF"
  case .resourceTemporarilyUnavailable: return "EAGAIN"
  case .noMemory: return "ENOMEM"
  case .notSupported: return "EOPNOTSUPP"
  case .noSpace: return "ENOSPC"
  case .readOnlyFileSystem: return "EROFS"
  case .operationNotSupportedByDevice: return "ENODEV"
  default: return "errno \(errno.rawValue)"
  }
}
