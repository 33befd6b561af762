// Thin wrappers for the mount syscalls Swift cannot reach (syscall(2) is variadic)
// or that need code running between fork and exec. Every function keeps the
// kernel convention: it returns -1 and sets errno on failure, and sets ENOSYS when
// the running kernel lacks the call.
#ifndef RECONCILE_CMOUNTSHIMS_H
#define RECONCILE_CMOUNTSHIMS_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// Constants from <linux/mount.h> and <linux/openat2.h>, spelled out so the shim
// builds against older headers too.
#define RCS_OPEN_TREE_CLONE 1u
#define RCS_OPEN_TREE_CLOEXEC 02000000u
#define RCS_AT_RECURSIVE 0x8000
#define RCS_AT_EMPTY_PATH 0x1000
#define RCS_AT_SYMLINK_NOFOLLOW 0x100
#define RCS_MOVE_MOUNT_F_EMPTY_PATH 0x4u
#define RCS_MOVE_MOUNT_T_EMPTY_PATH 0x40u
#define RCS_FSOPEN_CLOEXEC 1u
#define RCS_FSMOUNT_CLOEXEC 1u
#define RCS_FSCONFIG_SET_FLAG 0u
#define RCS_FSCONFIG_SET_STRING 1u
#define RCS_FSCONFIG_CMD_CREATE 6u
#define RCS_MOUNT_ATTR_RDONLY 0x1ull
#define RCS_MOUNT_ATTR_IDMAP 0x100000ull
#define RCS_MS_PRIVATE (1ull << 18)
#define RCS_RESOLVE_NO_XDEV 0x01ull
#define RCS_RESOLVE_NO_SYMLINKS 0x04ull
#define RCS_RESOLVE_BENEATH 0x08ull
#define RCS_UMOUNT_NOFOLLOW 8
// Not exported by the Glibc module without _GNU_SOURCE; same value on x86_64 and
// aarch64 (asm-generic).
#define RCS_O_PATH 010000000
#define RCS_AT_NO_AUTOMOUNT 0x800
#define RCS_DT_DIR 4
#define RCS_DT_UNKNOWN 0
#define RCS_CLONE_NEWNS 0x00020000

int rcs_open_tree(int dirfd, const char *path, unsigned int flags);
int rcs_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
                   unsigned int flags);
int rcs_fsopen(const char *fsname, unsigned int flags);
int rcs_fsconfig(int fd, unsigned int cmd, const char *key, const char *value, int aux);
int rcs_fsmount(int fd, unsigned int flags, unsigned int attr_flags);

/// mount_setattr(2) with a `struct mount_attr` built from its four fields.
int rcs_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set,
                      uint64_t attr_clr, uint64_t propagation, uint64_t userns_fd);

/// openat2(2) with `struct open_how` of size 24.
int rcs_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/// statx(2) asking for STATX_MNT_ID; stores the mount id (as in mountinfo) in
/// `*mount_id`, and device and inode in the other two outputs.
int rcs_mount_id(int dirfd, const char *path, int flags, uint64_t *mount_id, uint64_t *dev,
                 uint64_t *ino);

/// What the ownership walk needs to know about one entry, from one statx(2) call.
struct rcs_entry_stat {
  uint64_t ino;
  uint64_t dev;     // makedev(stx_dev_major, stx_dev_minor)
  uint64_t mnt_id;  // as in mountinfo (STATX_MNT_ID)
  uint32_t uid;
  uint32_t gid;
  uint32_t nlink;
  uint32_t mode;    // file type and permission bits
};

/// statx(2) for type, mode, owner, link count, inode, device and mount id in one call.
/// `flags` as for statx (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT). Fails
/// with ENOSYS when the kernel does not report STATX_MNT_ID (before 5.8).
int rcs_statx_entry(int dirfd, const char *path, int flags, struct rcs_entry_stat *out);

/// getdents64(2): fills `buf` with `struct linux_dirent64` records; 0 at the end.
ssize_t rcs_getdents64(int fd, void *buf, size_t size);

/// fchmodat2(2) (6.6+), which unlike glibc's fchmodat takes AT_EMPTY_PATH and
/// AT_SYMLINK_NOFOLLOW without an O_PATH-and-/proc detour.
int rcs_fchmodat2(int dirfd, const char *path, unsigned int mode, int flags);

/// The CPUs this process may run on (sched_getaffinity(2) and CPU_COUNT, macros Swift
/// cannot call); 1 when that fails.
int rcs_available_cpus(void);

/// statmount(2) probe: 0 when the call exists, -1/ENOSYS when it does not.
int rcs_statmount_supported(void);

/// statmount(2) for the uid and gid maps of the mount on top at `path` (6.15+). Writes
/// NUL-separated "inner outer count" strings into `buf` (uid maps, then gid maps)
/// and their counts into `*uid_count`, `*gid_count`. Returns the number of bytes used,
/// or -1/errno (EOPNOTSUPP when the kernel does not report maps).
int rcs_statmount_idmaps(const char *path, char *buf, size_t size, uint32_t *uid_count,
                         uint32_t *gid_count);

/// llistxattr(2): the NUL-separated xattr names of `path` itself, never following a
/// final symlink. <sys/xattr.h> is not part of the Glibc module, hence the wrapper.
ssize_t rcs_llistxattr(const char *path, char *list, size_t size);

/// fsconfig(FSCONFIG_SET_FD), and the probe for it: FSCONFIG_SET_FD is 5.
#define RCS_FSCONFIG_SET_FD 5u
#define RCS_MOUNT_ATTR_NOSYMFOLLOW 0x00200000ull

/// statmount(2) with STATMOUNT_SUPPORTED_MASK (6.15) for the mount of "/": stores the
/// kernel's supported mask, or 0 when it does not report one. -1/ENOSYS without
/// statmount.
int rcs_statmount_supported_mask(uint64_t *supported);

/// One directory that `rcs_overlay_pinned` binds into its private root before the
/// overlay is made: `fd` (a verified O_PATH directory) appears at `path`.
struct rcs_pin {
  const char *path;
  int fd;
  /// Clone the tree below `fd` too and mark it nosymfollow (upperdir and workdir must
  /// reside on one mount, so they share a pin of their common parent).
  int recursive_nosymfollow;
};

/// Makes a detached overlay mount whose layers the kernel finds only through `pins`,
/// on kernels whose overlayfs takes layers as path strings alone (before 6.13).
///
/// A thread of its own unshares its mount namespace (private), attaches a fresh
/// tmpfs on its "/" and chroots into it, binds each pin's fd at the pin's path
/// there (shallowest first, each mount point opened with RESOLVE_NO_SYMLINKS), and
/// only then hands overlayfs the paths, which now resolve to those fds and nothing
/// else, while mountinfo shows them as given. With `data` it uses mount(2) on a
/// scratch directory and clones the result (open_tree); otherwise fsopen with
/// `keys`/`values` and fsmount. Returns the detached mount's fd, or -1/errno with
/// the failing call in `stage` and the fs context's messages in `messages`.
int rcs_overlay_pinned(const struct rcs_pin *pins, int pin_count, const char *const *keys,
                       const char *const *values, int setting_count, const char *data,
                       unsigned int read_only, char *stage, size_t stage_size, char *messages,
                       size_t messages_size);

/// renameat2(RENAME_EXCHANGE): swaps two paths atomically (for tests that race a swap).
int rcs_rename_exchange(const char *first, const char *second);

/// 1 when `fd` lies on a tmpfs (fstatfs TMPFS_MAGIC), 0 when not, -1/errno.
int rcs_is_tmpfs(int fd);

int rcs_setns(int fd, int nstype);
int rcs_unshare_mount_namespace_private(void);

/// Makes a user namespace with the given uid_map and gid_map contents (lines of
/// "inner outer count") in a forked child, and returns an fd for it. The child runs
/// only async-signal-safe code and is reaped before return.
int rcs_userns_fd(const char *uid_map, const char *gid_map);

/// lsetxattr(2) and lremovexattr(2), which Swift's Glibc module does not export.
int rcs_lsetxattr(const char *path, const char *name, const void *value, size_t size);
int rcs_lremovexattr(const char *path, const char *name);

/// flock(2) with a deadline: tries LOCK_EX|LOCK_NB until `timeout_ms` passes
/// (0: one try). Returns 0 when locked, -1/EWOULDBLOCK on timeout.
int rcs_flock_exclusive(int fd, int timeout_ms);

// --- reconcile watch: the event sources (each wrapped by one file in LinuxKernel) ---

/// fanotify mount notifications (6.15+), from <linux/fanotify.h>, which the 6.1
/// headers this builds against do not have yet.
#define RCS_FAN_MNT_ATTACH 0x01000000ull
#define RCS_FAN_MNT_DETACH 0x02000000ull

/// fanotify_init(FAN_REPORT_MNT | FAN_CLOEXEC | FAN_NONBLOCK) and
/// fanotify_mark(FAN_MARK_ADD | FAN_MARK_MNTNS, FAN_MNT_ATTACH | FAN_MNT_DETACH) on the
/// mount namespace `ns_fd` (an open /proc/PID/ns/mnt). Returns the fanotify fd, or
/// -1/errno (EINVAL before 6.15, whose kernels know neither flag).
int rcs_fanotify_mount_events(int ns_fd);

/// Reads what is queued on a fanotify mount-events fd (non-blocking) and stores up to
/// `max` events: the mount's unique id (as statmount(2) takes it) and the event mask.
/// Returns the count, 0 when nothing is queued, -1/errno. A buffer holds at most 4 KiB
/// of events; call again while it returns `max`-sized batches.
int rcs_fanotify_read_mounts(int fd, uint64_t *ids, uint64_t *masks, int max);

/// statmount(2) with STATMOUNT_MNT_POINT for the mount of unique id `id`: copies its
/// mount point (NUL-terminated) into `buf`. -1/ENOENT when the mount is gone,
/// ERANGE when `size` is too small.
int rcs_statmount_mount_point(uint64_t id, char *buf, size_t size);

/// Sends one datagram `message` to the AF_UNIX socket `address` (sd_notify(3)'s
/// $NOTIFY_SOCKET: a path, or an abstract name when it starts with '@').
int rcs_notify_send(const char *address, const char *message, size_t length);

/// Blocks SIGTERM, SIGINT and SIGHUP for the process and returns a signalfd(2) (non-blocking,
/// close-on-exec) that reads them.
int rcs_termination_signalfd(void);

/// Reads one pending signal from a signalfd: its number, 0 when none, -1/errno.
int rcs_signalfd_read(int fd);

#ifdef __cplusplus
}
#endif
#endif
