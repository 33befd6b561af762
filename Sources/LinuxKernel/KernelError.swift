import SystemPackage

/// A failed call into the kernel: which call, the errno, and the path it was about.
/// The path stays bytes until the message is printed, so a name that is not UTF-8
/// is still reported exactly.
public struct KernelError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The C call, as a reader would grep for it (`openat2`, `umount2`).
  public var call: String
  public var errno: Errno
  /// The path the call was about, if any.
  public var path: FilePath?

  public init(_ call: String, _ errno: Errno, path: FilePath? = nil) {
    self.call = call
    self.errno = errno
    self.path = path
  }

  /// `openat2 /var/lib/left4me/.reconcile: Too many levels of symbolic links (ELOOP)`.
  public var description: String {
    let place = path.map { " \($0.string)" } ?? ""
    return "\(call)\(place): \(errno.description) (\(errno.name))"
  }
}

extension Errno {
  /// The C name of the errno (`EBUSY`), for logs that people grep. swift-system
  /// gives the message only; these are the values reconcile meets.
  public var name: String {
    switch self {
    case .notPermitted: return "EPERM"
    case .noSuchFileOrDirectory: return "ENOENT"
    case .interrupted: return "EINTR"
    case .ioError: return "EIO"
    case .badFileDescriptor: return "EBADF"
    case .noMemory: return "ENOMEM"
    case .permissionDenied: return "EACCES"
    case .resourceBusy: return "EBUSY"
    case .fileExists: return "EEXIST"
    case .improperLink: return "EXDEV"
    case .operationNotSupportedByDevice: return "ENODEV"
    case .notDirectory: return "ENOTDIR"
    case .isDirectory: return "EISDIR"
    case .invalidArgument: return "EINVAL"
    case .tooManyOpenFiles: return "EMFILE"
    case .noSpace: return "ENOSPC"
    case .readOnlyFileSystem: return "EROFS"
    case .argListTooLong: return "E2BIG"
    case .wouldBlock: return "EAGAIN"
    case .tooManySymbolicLinkLevels: return "ELOOP"
    case .fileNameTooLong: return "ENAMETOOLONG"
    case .directoryNotEmpty: return "ENOTEMPTY"
    case .noFunction: return "ENOSYS"
    case .notSupported: return "EOPNOTSUPP"
    case .overflow: return "EOVERFLOW"
    case .timedOut: return "ETIMEDOUT"
    default: return "errno \(rawValue)"
    }
  }
}
