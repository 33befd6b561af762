import CMountShims
import Glibc
import SystemPackage

/// The new mount API (5.2+) and the old calls reconcile still needs: detached trees
/// from `open_tree`, filesystem contexts from `fsopen`, `mount_setattr`, `move_mount`,
/// `umount2`, and `mount(2)` for kernels and tests that need it.
public enum MountAPI {
  /// A detached, non-recursive clone of the tree at `source` (a bind never carries the
  /// mounts below its source along). The corresponding C call is `open_tree(2)` with
  /// `OPEN_TREE_CLONE`.
  public static func cloneTree(_ source: FileDescriptor, path: FilePath) throws(KernelError) -> FileDescriptor {
    let flags = RCS_OPEN_TREE_CLONE | RCS_OPEN_TREE_CLOEXEC | UInt32(RCS_AT_EMPTY_PATH)
    return try descriptor("open_tree", path) { rcs_open_tree(source.rawValue, "", flags) }
  }

  /// Sets a mount's attributes and makes it private. The corresponding C call is
  /// `mount_setattr(2)` with `AT_EMPTY_PATH`.
  ///
  /// - Parameters:
  ///   - mount: a mount fd (detached or attached).
  ///   - readOnly: set `MOUNT_ATTR_RDONLY`.
  ///   - idmap: a user namespace whose maps the mount takes (`MOUNT_ATTR_IDMAP`).
  public static func setAttributes(
    _ mount: FileDescriptor, readOnly: Bool = false, idmap: FileDescriptor? = nil, path: FilePath
  ) throws(KernelError) {
    var attributes: UInt64 = readOnly ? RCS_MOUNT_ATTR_RDONLY : 0
    if idmap != nil { attributes |= RCS_MOUNT_ATTR_IDMAP }
    let userns = idmap.map { UInt64($0.rawValue) } ?? 0
    try check("mount_setattr", path) {
      rcs_mount_setattr(mount.rawValue, "", UInt32(RCS_AT_EMPTY_PATH), attributes, 0, RCS_MS_PRIVATE, userns)
    }
  }

  /// Attaches a detached mount onto the directory `target` is open on. The
  /// corresponding C call is `move_mount(2)` with both `EMPTY_PATH` flags.
  public static func move(_ mount: FileDescriptor, onto target: FileDescriptor, path: FilePath) throws(KernelError) {
    let flags = RCS_MOVE_MOUNT_F_EMPTY_PATH | RCS_MOVE_MOUNT_T_EMPTY_PATH
    try check("move_mount", path) { rcs_move_mount(mount.rawValue, "", target.rawValue, "", flags) }
  }

  /// Removes the top mount at `path`, never lazily, not following a final symlink
  /// (fixtures; apply unmounts through `DirectoryHandle.unmount`). The corresponding C
  /// call is `umount2(2)` with `UMOUNT_NOFOLLOW`.
  public static func unmount(_ path: String) throws(KernelError) {
    try check("umount2", FilePath(path)) { umount2(path, RCS_UMOUNT_NOFOLLOW) }
  }

  /// Detaches the whole tree at `path` (tests and the demo clean up with it; apply
  /// never does, invariant 3). The corresponding C call is `umount2(2)` with `MNT_DETACH`.
  public static func detach(_ path: String) throws(KernelError) {
    try check("umount2 MNT_DETACH", FilePath(path)) { umount2(path, RCS_UMOUNT_NOFOLLOW | Int32(MNT_DETACH)) }
  }

  /// `mount(2)`: for overlays on kernels whose overlayfs has no new-API parser, and
  /// for fixtures.
  public static func mount(
    source: String?, target: String, type: String?, readOnly: Bool = false, bind: Bool = false, data: String? = nil
  ) throws(KernelError) {
    var flags: UInt = readOnly ? UInt(MS_RDONLY) : 0
    if bind { flags |= UInt(MS_BIND) }
    try check("mount", FilePath(target)) { Glibc.mount(source, target, type, flags, data) }
  }

  /// Changes the propagation of the mount at `path`. The corresponding C call is
  /// `mount(2)` with `MS_PRIVATE` or `MS_SHARED`.
  public static func setPropagation(_ path: String, shared: Bool) throws(KernelError) {
    try check("mount \(shared ? "MS_SHARED" : "MS_PRIVATE")", FilePath(path)) {
      Glibc.mount(nil, path, nil, UInt(shared ? MS_SHARED : MS_PRIVATE), nil)
    }
  }

  /// Whether `fd` lies on a tmpfs (`fstatfs`, `TMPFS_MAGIC`).
  public static func isTmpfs(_ fd: FileDescriptor) -> Bool { rcs_is_tmpfs(fd.rawValue) == 1 }

  static func check(_ call: String, _ path: FilePath?, _ body: () -> Int32) throws(KernelError) {
    _ = try valueOrError(call, path, body)
  }

  static func descriptor(_ call: String, _ path: FilePath?, _ body: () -> Int32) throws(KernelError) -> FileDescriptor {
    FileDescriptor(rawValue: try valueOrError(call, path, body))
  }
}

/// A filesystem context: `fsopen`, `fsconfig`, `fsmount`. Closed with the value.
public final class FilesystemContext {
  public let descriptor: FileDescriptor
  /// The filesystem type, for messages.
  public let type: String

  /// The corresponding C call is `fsopen(2)`.
  public init(_ type: String) throws(KernelError) {
    self.type = type
    descriptor = try MountAPI.descriptor("fsopen \(type)", nil) { rcs_fsopen(type, RCS_FSOPEN_CLOEXEC) }
  }

  deinit { try? descriptor.close() }

  /// `fsconfig(FSCONFIG_SET_STRING)`.
  public func set(_ key: String, _ value: String) throws(KernelError) {
    try MountAPI.check("fsconfig \(key)", FilePath(value)) {
      rcs_fsconfig(descriptor.rawValue, RCS_FSCONFIG_SET_STRING, key, value, 0)
    }
  }

  /// `fsconfig(FSCONFIG_SET_FD)`: a directory handed over as the fd itself.
  public func set(_ key: String, _ value: FileDescriptor, path: FilePath) throws(KernelError) {
    try MountAPI.check("fsconfig \(key) (fd)", path) {
      rcs_fsconfig(descriptor.rawValue, RCS_FSCONFIG_SET_FD, key, nil, value.rawValue)
    }
  }

  /// `fsconfig(FSCONFIG_CMD_CREATE)`: makes the superblock.
  public func create() throws(KernelError) {
    try MountAPI.check("fsconfig create \(type)", nil) {
      rcs_fsconfig(descriptor.rawValue, RCS_FSCONFIG_CMD_CREATE, nil, nil, 0)
    }
  }

  /// A detached mount of the created superblock. The corresponding C call is `fsmount(2)`.
  public func mount(readOnly: Bool) throws(KernelError) -> FileDescriptor {
    let attributes = readOnly ? UInt32(RCS_MOUNT_ATTR_RDONLY) : 0
    return try MountAPI.descriptor("fsmount", nil) { rcs_fsmount(descriptor.rawValue, RCS_FSMOUNT_CLOEXEC, attributes) }
  }

  /// What the filesystem wrote to its context ("e overlayfs: ..."), which says far more
  /// than the errno.
  public func messages() -> String {
    var messages: [String] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(descriptor.rawValue, $0.baseAddress, $0.count) }
      guard count > 0 else { break }
      messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
    }
    return messages.joined(separator: "; ")
  }
}

extension FileDescriptor {
  /// The kernel's name for what this descriptor is open on (`readlink` of
  /// `/proc/self/fd/N`), as mountinfo would show it.
  public var kernelPath: String? {
    (try? Files.linkTarget(of: FilePath("/proc/self/fd/\(rawValue)")))?.string
  }
}
