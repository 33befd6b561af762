// The one place in Reconciler that calls libc and the C shims. Every wrapper keeps
// the kernel's -1/errno convention and is converted once, by `valueOrErrno`.
import CMountShims
import Glibc
import SystemPackage

/// Runs `call` and turns -1/errno into `Errno`, retrying on EINTR when asked.
func valueOrErrno<I: FixedWidthInteger>(
  retryOnInterrupt: Bool = true, _ call: () -> I
) -> Result<I, Errno> {
  while true {
    let value = call()
    if value != -1 { return .success(value) }
    let error = Errno(rawValue: errno)
    if retryOnInterrupt && error == .interrupted { continue }
    return .failure(error)
  }
}

func system_umount2(_ path: String, _ flags: Int32) -> Int32 { umount2(path, flags) }

func system_mount(
  _ source: String?, _ target: String, _ type: String?, _ flags: UInt, _ data: String?
) -> Int32 {
  mount(source, target, type, flags, data)
}

func system_open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
  open(path, flags, mode)
}

func system_close(_ fd: Int32) { _ = close(fd) }

func system_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}

func system_openat2(_ dirfd: Int32, _ path: String, flags: UInt64, mode: UInt64 = 0, resolve: UInt64) -> Int32 {
  rcs_openat2(dirfd, path, flags, mode, resolve)
}

func system_mkdirat(_ dirfd: Int32, _ name: String, _ mode: mode_t) -> Int32 {
  mkdirat(dirfd, name, mode)
}

func system_unlinkat(_ dirfd: Int32, _ name: String, _ flags: Int32) -> Int32 { unlinkat(dirfd, name, flags) }

/// The id of the top mount at `name` below `dirfd` (statx `STATX_MNT_ID`), not
/// following a symlink there; `AT_FDCWD` takes `name` as a path.
func system_mount_id(_ dirfd: Int32 = AT_FDCWD, _ name: String) -> Result<Int, Errno> {
  var id: UInt64 = 0
  var dev: UInt64 = 0
  var ino: UInt64 = 0
  return valueOrErrno { rcs_mount_id(dirfd, name, Int32(RCS_AT_SYMLINK_NOFOLLOW), &id, &dev, &ino) }
    .map { _ in Int(id) }
}

func system_open_tree(_ dirfd: Int32, _ path: String, _ flags: UInt32) -> Int32 {
  rcs_open_tree(dirfd, path, flags)
}

func system_move_mount(
  _ fromFD: Int32, _ fromPath: String, _ toFD: Int32, _ toPath: String, _ flags: UInt32
) -> Int32 {
  rcs_move_mount(fromFD, fromPath, toFD, toPath, flags)
}

func system_mount_setattr(
  _ dirfd: Int32, _ path: String, _ flags: UInt32, set: UInt64, clear: UInt64,
  propagation: UInt64, usernsFD: UInt64
) -> Int32 {
  rcs_mount_setattr(dirfd, path, flags, set, clear, propagation, usernsFD)
}

func system_fsopen(_ name: String) -> Int32 { rcs_fsopen(name, RCS_FSOPEN_CLOEXEC) }

func system_fsconfig(_ fd: Int32, _ command: UInt32, _ key: String?, _ value: String?) -> Int32 {
  rcs_fsconfig(fd, command, key, value, 0)
}

func system_fsconfig_fd(_ fd: Int32, _ key: String, _ valueFD: Int32) -> Int32 {
  rcs_fsconfig(fd, RCS_FSCONFIG_SET_FD, key, nil, valueFD)
}

/// readlink(2) of `/proc/self/fd/N`: the kernel's d_path of an open fd.
func system_fd_path(_ fd: Int32) -> String? {
  var buffer = [CChar](repeating: 0, count: 4097)
  let count = readlink("/proc/self/fd/\(fd)", &buffer, 4096)
  guard count >= 0 else { return nil }
  return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func system_overlay_pinned(
  _ pins: [rcs_pin], keys: [UnsafePointer<CChar>?], values: [UnsafePointer<CChar>?], data: UnsafePointer<CChar>?,
  readOnly: Bool, stage: inout [CChar], messages: inout [CChar]
) -> Int32 {
  rcs_overlay_pinned(
    pins, Int32(pins.count), keys, values, Int32(keys.count), data, readOnly ? 1 : 0, &stage, stage.count,
    &messages, messages.count)
}

func system_fsmount(_ fd: Int32, _ attributes: UInt32) -> Int32 {
  rcs_fsmount(fd, RCS_FSMOUNT_CLOEXEC, attributes)
}

func system_userns_fd(uidMap: String, gidMap: String) -> Int32 {
  rcs_userns_fd(uidMap, gidMap)
}

func system_flock_exclusive(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32 {
  rcs_flock_exclusive(fd, timeoutMilliseconds)
}

let O_PATH_DIRECTORY_CLOEXEC = UInt64(RCS_O_PATH | O_DIRECTORY | O_CLOEXEC)
let resolveBeneathNoSymlinks = RCS_RESOLVE_BENEATH | RCS_RESOLVE_NO_SYMLINKS

func system_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}

func system_fsync(_ fd: Int32) -> Int32 { fsync(fd) }

func system_rename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
func system_unlink(_ path: String) -> Int32 { unlink(path) }
// The ownership walk. Names come straight from getdents64 as NUL-terminated C bytes
// and are passed on as pointers: never through String, so any byte but '/' and NUL
// (newlines, invalid UTF-8) survives.

func system_getdents64(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  rcs_getdents64(fd, buffer, count)
}

func system_statx_entry(
  _ dirfd: Int32, _ name: UnsafePointer<CChar>, _ flags: Int32, _ entry: inout rcs_entry_stat
) -> Int32 {
  rcs_statx_entry(dirfd, name, flags, &entry)
}

func system_openat2(
  _ dirfd: Int32, name: UnsafePointer<CChar>, flags: UInt64, resolve: UInt64
) -> Int32 {
  rcs_openat2(dirfd, name, flags, 0, resolve)
}

func system_fchownat(
  _ dirfd: Int32, _ name: UnsafePointer<CChar>, _ uid: UInt32, _ gid: UInt32, _ flags: Int32
) -> Int32 {
  fchownat(dirfd, name, uid, gid, flags)
}

func system_fchown(_ fd: Int32, _ uid: UInt32, _ gid: UInt32) -> Int32 { fchown(fd, uid, gid) }

func system_fchmodat2(_ dirfd: Int32, _ name: UnsafePointer<CChar>, _ mode: UInt32, _ flags: Int32) -> Int32 {
  rcs_fchmodat2(dirfd, name, mode, flags)
}

/// chmod(2) through `/proc/self/fd/N`: where fchmodat2 is missing (before 6.6), the
/// way to change the mode of what an `O_PATH` fd names, never a path looked up anew.
func system_chmod_fd_path(_ fd: Int32, _ mode: UInt32) -> Int32 {
  chmod("/proc/self/fd/\(fd)", mode_t(mode))
}

/// The length of a NUL-terminated name. The corresponding C call is `strlen(3)`.
@inline(__always)
func cStringLength(_ name: UnsafePointer<CChar>) -> Int { strlen(name) }

/// CLOCK_MONOTONIC_COARSE in nanoseconds: a vDSO read, cheap enough to pace progress.
func system_coarse_nanoseconds() -> UInt64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
  return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// statx flags for one entry: the entry itself, never a symlink's target, never an
/// automount trigger.
let statxEntryFlags = Int32(RCS_AT_SYMLINK_NOFOLLOW | RCS_AT_NO_AUTOMOUNT)
/// openat2 for one directory level: no symlink, no mount crossing, nothing outside.
let resolveOneLevel = RCS_RESOLVE_BENEATH | RCS_RESOLVE_NO_SYMLINKS | RCS_RESOLVE_NO_XDEV
