// The one place in Probes that calls the C library and the CMountShims wrappers.
// Each `system_<name>` mirrors one C call and keeps its -1/errno convention; callers
// convert the result at once through `valueOrErrno`, so errno is never read late.
import CMountShims
import Glibc
import SystemPackage

// MARK: - errno conversion

/// Runs `body` and turns a -1 result into the current `errno`, retrying on `EINTR`
/// unless told not to.
internal func valueOrErrno<I: FixedWidthInteger>(
  retryOnInterrupt: Bool = true, _ body: () -> I
) -> Result<I, Errno> {
  while true {
    let result = body()
    if result != -1 { return .success(result) }
    let error = Errno(rawValue: errno)
    if retryOnInterrupt && error == .interrupted { continue }
    return .failure(error)
  }
}

/// `valueOrErrno` for calls whose only output is success.
internal func nothingOrErrno<I: FixedWidthInteger>(
  retryOnInterrupt: Bool = true, _ body: () -> I
) -> Result<Void, Errno> {
  valueOrErrno(retryOnInterrupt: retryOnInterrupt, body).map { _ in () }
}

/// The calling thread's errno, for calls that report failure with a nil pointer.
internal func system_errno() -> Int32 {
  errno
}

// MARK: - Constants

/// Flags and values the probes pass to the calls below, in Swift spelling.
internal enum SystemConstants {
  static let atFDCWD: Int32 = AT_FDCWD
  static let readOnly: Int32 = O_RDONLY
  static let path: Int32 = RCS_O_PATH
  static let directory: Int32 = O_DIRECTORY
  static let closeOnExec: Int32 = O_CLOEXEC
  static let noFollow: Int32 = O_NOFOLLOW
  static let atSymlinkNoFollow: Int32 = RCS_AT_SYMLINK_NOFOLLOW
  static let atNoAutomount: Int32 = RCS_AT_NO_AUTOMOUNT
  static let atEmptyPath: Int32 = RCS_AT_EMPTY_PATH
  static let resolveBeneath: UInt64 = UInt64(RCS_RESOLVE_BENEATH)
  static let resolveNoSymlinks: UInt64 = UInt64(RCS_RESOLVE_NO_SYMLINKS)
  static let fsopenCloseOnExec: UInt32 = UInt32(RCS_FSOPEN_CLOEXEC)
  static let fsconfigSetString: UInt32 = UInt32(RCS_FSCONFIG_SET_STRING)
  static let readWrite: Int32 = O_RDWR
  static let writeOnly: Int32 = O_WRONLY
  static let create: Int32 = O_CREAT
  static let exclusive: Int32 = O_EXCL
  static let lockExclusive: Int32 = LOCK_EX
  static let fsconfigSetFD: UInt32 = UInt32(RCS_FSCONFIG_SET_FD)
  static let lockShared: Int32 = LOCK_SH
  static let lockNonBlocking: Int32 = LOCK_NB
  static let unlock: Int32 = LOCK_UN
}

// MARK: - Files

/// open(2) without `O_CREAT`: the probes never create anything.
internal func system_open(_ path: String, _ flags: Int32) -> Int32 {
  open(path, flags)
}

/// close(2).
internal func system_close(_ fd: Int32) -> Int32 {
  close(fd)
}

/// read(2).
internal func system_read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
  read(fd, buffer.baseAddress, buffer.count)
}

/// readlink(2); the result is not NUL-terminated.
internal func system_readlink(_ path: String, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
  readlink(path, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
}

/// openat2(2) with a `struct open_how` of size 24.
internal func system_openat2(
  _ dirfd: Int32, _ path: String, flags: UInt64, mode: UInt64, resolve: UInt64
) -> Int32 {
  rcs_openat2(dirfd, path, flags, mode, resolve)
}

/// flock(2).
internal func system_flock(_ fd: Int32, _ operation: Int32) -> Int32 {
  flock(fd, operation)
}

/// The fstat(2) fields a trust check needs.
internal struct FileStatus {
  var mode: UInt32
  var uid: UInt32
  var links: UInt64
  var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
  var isRegularFile: Bool { mode & S_IFMT == S_IFREG }
  /// Writable by group or others.
  var isWritableByOthers: Bool { mode & 0o022 != 0 }
}

/// fstat(2).
internal func system_fstat(_ fd: Int32, _ status: inout FileStatus) -> Int32 {
  var raw = stat()
  let rc = fstat(fd, &raw)
  if rc == 0 { status = FileStatus(mode: raw.st_mode, uid: raw.st_uid, links: UInt64(raw.st_nlink)) }
  return rc
}

/// mkdirat(2).
internal func system_mkdirat(_ dirfd: Int32, _ name: String, _ mode: UInt32) -> Int32 {
  mkdirat(dirfd, name, mode_t(mode))
}

/// unlinkat(2).
internal func system_unlinkat(_ dirfd: Int32, _ name: String, _ flags: Int32) -> Int32 {
  unlinkat(dirfd, name, flags)
}

/// renameat(2), within one directory.
internal func system_renameat(_ dirfd: Int32, _ from: String, _ to: String) -> Int32 {
  renameat(dirfd, from, dirfd, to)
}

/// write(2).
internal func system_write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
  write(fd, buffer.baseAddress, buffer.count)
}

/// fsync(2).
internal func system_fsync(_ fd: Int32) -> Int32 {
  fsync(fd)
}

/// llistxattr(2): NUL-separated names; with an empty buffer, the size needed.
internal func system_llistxattr(_ path: String, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
  rcs_llistxattr(path, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
}

// MARK: - Directories

/// opendir(3); nil with errno set on failure.
internal func system_opendir(_ path: String) -> OpaquePointer? {
  opendir(path)
}

/// readdir(3): the next entry's name, or nil at the end.
internal func system_readdir(_ directory: OpaquePointer) -> String? {
  guard let entry = readdir(directory) else { return nil }
  return withUnsafePointer(to: entry.pointee.d_name) { name in
    name.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: name.pointee)) {
      String(cString: $0)
    }
  }
}

/// closedir(3).
internal func system_closedir(_ directory: OpaquePointer) -> Int32 {
  closedir(directory)
}

// MARK: - Mounts

/// fsopen(2).
internal func system_fsopen(_ fsName: String, _ flags: UInt32) -> Int32 {
  rcs_fsopen(fsName, flags)
}

/// fsconfig(2).
internal func system_fsconfig(
  _ fd: Int32, _ command: UInt32, _ key: String?, _ value: String?, _ aux: Int32
) -> Int32 {
  rcs_fsconfig(fd, command, key, value, aux)
}

/// mount_setattr(2) with a `struct mount_attr` built from its four fields.
internal func system_mount_setattr(
  _ dirfd: Int32, _ path: String, _ flags: UInt32, attrSet: UInt64, attrClear: UInt64,
  propagation: UInt64, usernsFD: UInt64
) -> Int32 {
  rcs_mount_setattr(dirfd, path, flags, attrSet, attrClear, propagation, usernsFD)
}

/// statx(2) with `STATX_MNT_ID`: the mount id (as in mountinfo), device and inode.
internal func system_mount_id(
  _ dirfd: Int32, _ path: String, _ flags: Int32,
  mountID: inout UInt64, device: inout UInt64, inode: inout UInt64
) -> Int32 {
  rcs_mount_id(dirfd, path, flags, &mountID, &device, &inode)
}

/// statmount(2) existence check: 0 when the call exists, -1/ENOSYS when not.
internal func system_statmount_supported() -> Int32 {
  rcs_statmount_supported()
}

/// uname(2): the kernel release.
internal func system_kernel_release() -> String {
  var name = utsname()
  guard uname(&name) == 0 else { return "unknown" }
  return withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

/// statx(2) of a path itself (no final symlink followed): its owner.
internal func system_owner(_ path: String) -> (uid: UInt32, gid: UInt32)? {
  var entry = rcs_entry_stat()
  guard rcs_statx_entry(AT_FDCWD, path, RCS_AT_SYMLINK_NOFOLLOW | RCS_AT_NO_AUTOMOUNT, &entry) == 0 else { return nil }
  return (entry.uid, entry.gid)
}

/// statmount(2) with STATMOUNT_SUPPORTED_MASK for "/": 0 in `mask` before 6.15.
internal func system_statmount_supported_mask(_ mask: inout UInt64) -> Int32 {
  rcs_statmount_supported_mask(&mask)
}

/// fchmodat2(2) with invalid flags: EINVAL where it exists, ENOSYS where not.
internal func system_fchmodat2_probe() -> Int32 {
  rcs_fchmodat2(-1, "", 0, Int32.max)
}

/// statmount(2) for the uid and gid maps of the top mount at `path`.
internal func system_statmount_idmaps(
  _ path: String, _ buffer: UnsafeMutableRawBufferPointer,
  uidCount: inout UInt32, gidCount: inout UInt32
) -> Int32 {
  rcs_statmount_idmaps(
    path, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count, &uidCount,
    &gidCount)
}

// MARK: - NSS

/// getpwnam_r(3), reshaped to -1/errno. `found` is false (and the result 0) when
/// NSS knows no such user.
internal func system_getpwnam_r(
  _ name: String, _ buffer: UnsafeMutableRawBufferPointer,
  uid: inout UInt32, gid: inout UInt32, found: inout Bool
) -> Int32 {
  var entry = passwd()
  var result: UnsafeMutablePointer<passwd>?
  let rc = getpwnam_r(
    name, &entry, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count,
    &result)
  if rc != 0 {
    errno = rc
    return -1
  }
  found = result != nil
  if found {
    uid = entry.pw_uid
    gid = entry.pw_gid
  }
  return 0
}

/// getgrnam_r(3), reshaped to -1/errno like `system_getpwnam_r`.
internal func system_getgrnam_r(
  _ name: String, _ buffer: UnsafeMutableRawBufferPointer, gid: inout UInt32, found: inout Bool
) -> Int32 {
  var entry = group()
  var result: UnsafeMutablePointer<group>?
  let rc = getgrnam_r(
    name, &entry, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count,
    &result)
  if rc != 0 {
    errno = rc
    return -1
  }
  found = result != nil
  if found { gid = entry.gr_gid }
  return 0
}
