import SystemPackage

/// The directory reconcile keeps its run lock, status and migration records in
/// (`<root>/.reconcile`), reached without trusting anyone who can write under `root`.
///
/// `root` may belong to the web app's user, so every component below it is opened
/// from the one above with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`: a
/// symlink planted at `.reconcile` cannot send root's lock or status elsewhere. The
/// directory itself and every file in it must be owned by root and not writable by
/// group or others, or it is refused (invariant 10, extended to state); files must
/// also be regular with a single link, so a planted hardlink is not trusted either.
/// Every later access is relative to the opened descriptor.
public final class StateDirectory {
  /// The directory's path, for messages.
  public let path: String
  private let fd: Int32
  private let trustedOwner: UInt32

  private init(path: String, fd: Int32, trustedOwner: UInt32) {
    self.path = path
    self.fd = fd
    self.trustedOwner = trustedOwner
  }

  deinit { _ = system_close(fd) }

  /// Opens `path` beneath `root`, creating missing components (mode 0755) when
  /// `create` is set.
  ///
  /// - Returns: The directory, or nil when it does not exist and `create` is false.
  /// - Throws: `StateFileError` when a component is a symlink or not a directory,
  ///   the directory is not the trusted owner's or is writable by others, or a call fails.
  public static func open(
    _ path: String, beneath root: String, create: Bool, trustedOwner: UInt32 = 0
  ) throws(StateFileError) -> StateDirectory? {
    let rootFD = try descriptor(
      "open", root, valueOrErrno {
        system_open(root, SystemConstants.path | SystemConstants.directory | SystemConstants.closeOnExec)
      })
    var current = StateDirectory(path: root, fd: rootFD, trustedOwner: trustedOwner)
    let relative = root == "/" ? Substring(path) : path.dropFirst(root.count)
    guard path.hasPrefix(root) else { throw .untrusted(path: path, reason: "is not below root \(root)") }
    for component in relative.split(separator: "/") {
      guard let next = try current.child(String(component), create: create, verify: false) else { return nil }
      current = next
    }
    try current.verify(current.fd, directory: true)
    return current
  }

  /// A subdirectory (`migrations`), under the same rules.
  public func subdirectory(_ name: String, create: Bool) throws(StateFileError) -> StateDirectory? {
    try child(name, create: create, verify: true)
  }

  /// The content of a file, or nil when there is none.
  ///
  /// - Throws: `StateFileError.untrusted` for a symlink, a non-regular file, a file with
  ///   more than one link, or one the trusted owner does not own or others can write.
  public func read(_ name: String, limit: Int = 1 << 20) throws(StateFileError) -> [UInt8]? {
    let file = pathOf(name)
    let opened = valueOrErrno {
      system_openat2(
        fd, name, flags: UInt64(SystemConstants.readOnly | SystemConstants.closeOnExec | SystemConstants.noFollow),
        mode: 0, resolve: Self.resolve)
    }
    if case .failure(.noSuchFileOrDirectory) = opened { return nil }
    let fileFD = try Self.descriptor("openat2", file, opened)
    defer { _ = system_close(fileFD) }
    try verify(fileFD, directory: false, name: name)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
      let count = chunk.withUnsafeMutableBytes { buffer in valueOrErrno { system_read(fileFD, buffer) } }
      switch count {
      case .failure(let error): throw .system(call: "read", path: file, errno: error)
      case .success(0): return bytes
      case .success(let n):
        bytes += chunk[..<n]
        if bytes.count > limit { throw .untrusted(path: file, reason: "is larger than \(limit) bytes") }
      }
    }
  }

  /// Replaces a file atomically (readers see the old content or the new): a fresh
  /// temporary file made with `O_EXCL`, fsync, rename within the directory.
  public func write(_ name: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws(StateFileError) {
    let temporary = "." + name + ".tmp"
    // A temporary file left by a killed run is ours (the directory is verified).
    if case .failure(let error) = nothingOrErrno({ system_unlinkat(fd, temporary, 0) }), error != .noSuchFileOrDirectory {
      throw .system(call: "unlinkat", path: pathOf(temporary), errno: error)
    }
    let flags = SystemConstants.writeOnly | SystemConstants.create | SystemConstants.exclusive
      | SystemConstants.closeOnExec | SystemConstants.noFollow
    let fileFD = try Self.descriptor(
      "openat2", pathOf(temporary),
      valueOrErrno { system_openat2(fd, temporary, flags: UInt64(flags), mode: UInt64(mode), resolve: Self.resolve) })
    var failure: StateFileError?
    let written = bytes.withUnsafeBytes { raw in valueOrErrno { system_write(fileFD, raw) } }
    switch written {
    case .failure(let error): failure = .system(call: "write", path: pathOf(temporary), errno: error)
    case .success(let count) where count != bytes.count:
      failure = .system(call: "write", path: pathOf(temporary), errno: .ioError)
    case .success:
      if case .failure(let error) = nothingOrErrno({ system_fsync(fileFD) }) {
        failure = .system(call: "fsync", path: pathOf(temporary), errno: error)
      }
    }
    _ = system_close(fileFD)
    if let failure {
      _ = system_unlinkat(fd, temporary, 0)
      throw failure
    }
    if case .failure(let error) = nothingOrErrno({ system_renameat(fd, temporary, name) }) {
      _ = system_unlinkat(fd, temporary, 0)
      throw .system(call: "renameat", path: pathOf(name), errno: error)
    }
  }

  /// Opens (creating, mode 0600) a lock file for `flock`, never following a symlink
  /// and never truncating. The caller owns the returned descriptor.
  public func openLockFile(_ name: String) throws(StateFileError) -> Int32 {
    let flags = SystemConstants.readWrite | SystemConstants.create | SystemConstants.closeOnExec
      | SystemConstants.noFollow
    let lockFD = try Self.descriptor(
      "openat2", pathOf(name),
      valueOrErrno { system_openat2(fd, name, flags: UInt64(flags), mode: 0o600, resolve: Self.resolve) })
    do {
      try verify(lockFD, directory: false, name: name)
    } catch {
      _ = system_close(lockFD)
      throw error
    }
    return lockFD
  }

  /// `path/name`, for messages.
  public func pathOf(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

  // MARK: Internals

  private static let resolve = SystemConstants.resolveBeneath | SystemConstants.resolveNoSymlinks

  private func child(_ name: String, create: Bool, verify check: Bool) throws(StateFileError) -> StateDirectory? {
    let childPath = pathOf(name)
    if create, case .failure(let error) = nothingOrErrno({ system_mkdirat(fd, name, 0o755) }), error != .fileExists {
      throw .system(call: "mkdirat", path: childPath, errno: error)
    }
    let flags = SystemConstants.path | SystemConstants.directory | SystemConstants.closeOnExec
    let opened = valueOrErrno { system_openat2(fd, name, flags: UInt64(flags), mode: 0, resolve: Self.resolve) }
    switch opened {
    case .failure(.noSuchFileOrDirectory) where !create: return nil
    case .failure(.tooManySymbolicLinkLevels):
      throw .untrusted(path: childPath, reason: "is a symlink; reconcile does not follow symlinks under root")
    case .failure(.notDirectory): throw .untrusted(path: childPath, reason: "is not a directory")
    default: break
    }
    let directory = StateDirectory(
      path: childPath, fd: try Self.descriptor("openat2", childPath, opened), trustedOwner: trustedOwner)
    if check { try directory.verify(directory.fd, directory: true) }
    return directory
  }

  private func verify(_ descriptor: Int32, directory: Bool, name: String? = nil) throws(StateFileError) {
    let shown = name.map(pathOf) ?? path
    var status = FileStatus(mode: 0, uid: 0, links: 0)
    if case .failure(let error) = nothingOrErrno({ system_fstat(descriptor, &status) }) {
      throw .system(call: "fstat", path: shown, errno: error)
    }
    if directory ? !status.isDirectory : !status.isRegularFile {
      throw .untrusted(path: shown, reason: directory ? "is not a directory" : "is not a regular file")
    }
    if status.uid != trustedOwner {
      throw .untrusted(path: shown, reason: "is owned by uid \(status.uid), not \(trustedOwner == 0 ? "root" : "uid \(trustedOwner)")")
    }
    if status.isWritableByOthers {
      throw .untrusted(path: shown, reason: "is writable by group or others (mode \(String(status.mode & 0o7777, radix: 8)))")
    }
    if !directory && status.links != 1 {
      throw .untrusted(path: shown, reason: "has \(status.links) hard links")
    }
  }

  private static func descriptor(_ call: String, _ path: String, _ result: Result<Int32, Errno>) throws(StateFileError) -> Int32 {
    switch result {
    case .success(let fd): return fd
    case .failure(let error): throw .system(call: call, path: path, errno: error)
    }
  }
}

/// Why reconcile's state directory or a file in it cannot be used.
public enum StateFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A call failed on `path`.
  case system(call: String, path: String, errno: Errno)
  /// It is there but cannot be trusted: a symlink, the wrong type, someone else's,
  /// writable by others, or hard-linked.
  case untrusted(path: String, reason: String)

  public var description: String {
    switch self {
    case .system(let call, let path, let errno): return "\(call) \(path): \(errno)"
    case .untrusted(let path, let reason): return "refusing \(path): it \(reason)"
    }
  }
}
