import LinuxKernel
import StateModel
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
  public var path: String { directory.path.string }
  private let directory: DirectoryHandle
  private let trustedOwner: UInt32

  private init(_ directory: DirectoryHandle, trustedOwner: UInt32) {
    self.directory = directory
    self.trustedOwner = trustedOwner
  }

  /// Opens `path` beneath `root`, creating missing components (mode 0755) when
  /// `create` is set.
  ///
  /// - Returns: The directory, or nil when it does not exist and `create` is false.
  /// - Throws: `StateFileError` when a component is a symlink or not a directory,
  ///   the directory is not the trusted owner's or is writable by others, or a call fails.
  public static func open(
    _ path: String, beneath root: String, create: Bool, trustedOwner: UInt32 = 0
  ) throws(StateFileError) -> StateDirectory? {
    guard path == root || PathRules.isStrictlyBeneath(path, root) else {
      throw .untrusted(path: path, reason: "is not below root \(root)")
    }
    let relative = PathRules.relative(path, below: root)
    return try verified(create: create, trustedOwner: trustedOwner) { () throws(KernelError) in
      try DirectoryHandle.open(FilePath(root)).openDirectory(relative, create: create)
    }
  }

  /// A subdirectory (`migrations`), under the same rules.
  public func subdirectory(_ name: String, create: Bool) throws(StateFileError) -> StateDirectory? {
    try Self.verified(create: create, trustedOwner: trustedOwner) { () throws(KernelError) in
      try directory.openDirectory(name, create: create)
    }
  }

  /// The directory `open` gives, checked; nil when it is missing and not to be made.
  private static func verified(
    create: Bool, trustedOwner: UInt32, _ open: () throws(KernelError) -> DirectoryHandle
  ) throws(StateFileError) -> StateDirectory? {
    let opened: DirectoryHandle
    do {
      opened = try open()
    } catch {
      if error.errno == .noSuchFileOrDirectory && !create { return nil }
      throw StateFileError(error)
    }
    let state = StateDirectory(opened, trustedOwner: trustedOwner)
    try state.verify(
      try StateFileError.wrap { () throws(KernelError) in try opened.status() }, directory: true, shown: state.path)
    return state
  }

  /// The content of a file, or nil when there is none.
  ///
  /// - Throws: `StateFileError.untrusted` for a symlink, a non-regular file, a file with
  ///   more than one link, or one the trusted owner does not own or others can write.
  public func read(_ name: String, limit: Int = 1 << 20) throws(StateFileError) -> [UInt8]? {
    let file: FileDescriptor
    do {
      file = try directory.openFile(name, .readOnly)
    } catch {
      if error.errno == .noSuchFileOrDirectory { return nil }
      throw StateFileError(error)
    }
    defer { try? file.close() }
    try verify(
      try StateFileError.wrap { () throws(KernelError) in try file.status() }, directory: false, shown: pathOf(name))
    let bytes = try StateFileError.wrap { () throws(KernelError) in try file.readAll(limit: limit) }
    if bytes.count > limit { throw .untrusted(path: pathOf(name), reason: "is larger than \(limit) bytes") }
    return bytes
  }

  /// Replaces a file atomically (readers see the old content or the new): a fresh
  /// temporary file made with `O_EXCL`, fsync, rename within the directory.
  public func write(_ name: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws(StateFileError) {
    try StateFileError.wrap { () throws(KernelError) in try directory.writeAtomically(name, bytes, mode: mode) }
  }

  /// Opens (creating, mode 0600) a lock file for `flock`, never following a symlink
  /// and never truncating. The caller owns the returned descriptor.
  public func openLockFile(_ name: String) throws(StateFileError) -> FileDescriptor {
    let lock = try StateFileError.wrap { () throws(KernelError) in
      try directory.openFile(name, .readWrite, options: [.create])
    }
    do {
      try verify(
        try StateFileError.wrap { () throws(KernelError) in try lock.status() }, directory: false, shown: pathOf(name))
    } catch {
      try? lock.close()
      throw error
    }
    return lock
  }

  /// `path/name`, for messages.
  public func pathOf(_ name: String) -> String { directory.pathOf(name).string }

  private func verify(_ status: Stat, directory: Bool, shown: String) throws(StateFileError) {
    if status.type != (directory ? .directory : .regular) {
      throw .untrusted(path: shown, reason: directory ? "is not a directory" : "is not a regular file")
    }
    if status.userID.rawValue != trustedOwner {
      throw .untrusted(
        path: shown,
        reason: "is owned by uid \(status.userID.rawValue), not \(trustedOwner == 0 ? "root" : "uid \(trustedOwner)")")
    }
    if status.isWritableByOthers {
      throw .untrusted(
        path: shown, reason: "is writable by group or others (mode \(String(status.permissions.rawValue, radix: 8)))")
    }
    if !directory && status.linkCount != 1 {
      throw .untrusted(path: shown, reason: "has \(status.linkCount) hard links")
    }
  }
}
