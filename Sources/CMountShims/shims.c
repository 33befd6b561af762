#define _GNU_SOURCE
#include "CMountShims.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

// x86_64 and aarch64 share the generic numbers for everything past 424.
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif

#define RCS_STATX_MNT_ID 0x00001000u
#define RCS_STATX_MNT_ID_UNIQUE 0x00004000u

struct rcs_mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

struct rcs_open_how {
  uint64_t flags, mode, resolve;
};

struct rcs_mnt_id_req {
  uint32_t size, spare;
  uint64_t mnt_id, param;
};

// Fixed part of struct statmount as of 6.15 (512 bytes), see the kernel notes.
struct rcs_statmount {
  uint32_t size, mnt_opts;
  uint64_t mask;
  uint32_t sb_dev_major, sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags, fs_type;
  uint64_t mnt_id, mnt_parent_id;
  uint32_t mnt_id_old, mnt_parent_id_old;
  uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
  uint32_t mnt_root, mnt_point;
  uint64_t mnt_ns_id;
  uint32_t fs_subtype, sb_source, opt_num, opt_array, opt_sec_num, opt_sec_array;
  uint64_t supported_mask;
  uint32_t mnt_uidmap_num, mnt_uidmap, mnt_gidmap_num, mnt_gidmap;
  uint64_t spare2[43];
  char str[];
};

#define RCS_STATMOUNT_MNT_BASIC 0x2ull
#define RCS_STATMOUNT_MNT_UIDMAP 0x2000ull
#define RCS_STATMOUNT_MNT_GIDMAP 0x4000ull
#define RCS_STATMOUNT_SUPPORTED_MASK 0x1000ull

int rcs_open_tree(int dirfd, const char *path, unsigned int flags) {
  return (int)syscall(__NR_open_tree, dirfd, path, flags);
}

int rcs_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
                   unsigned int flags) {
  return (int)syscall(__NR_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

int rcs_fsopen(const char *fsname, unsigned int flags) {
  return (int)syscall(__NR_fsopen, fsname, flags);
}

int rcs_fsconfig(int fd, unsigned int cmd, const char *key, const char *value, int aux) {
  return (int)syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

int rcs_fsmount(int fd, unsigned int flags, unsigned int attr_flags) {
  return (int)syscall(__NR_fsmount, fd, flags, attr_flags);
}

int rcs_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set,
                      uint64_t attr_clr, uint64_t propagation, uint64_t userns_fd) {
  struct rcs_mount_attr attr = {attr_set, attr_clr, propagation, userns_fd};
  return (int)syscall(__NR_mount_setattr, dirfd, path, flags, &attr, sizeof attr);
}

int rcs_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
  struct rcs_open_how how = {flags, mode, resolve};
  return (int)syscall(__NR_openat2, dirfd, path, &how, sizeof how);
}

int rcs_mount_id(int dirfd, const char *path, int flags, uint64_t *mount_id, uint64_t *dev,
                 uint64_t *ino) {
  struct statx stx;
  memset(&stx, 0, sizeof stx);
  if (statx(dirfd, path, flags, STATX_INO | RCS_STATX_MNT_ID, &stx) != 0) return -1;
  if (!(stx.stx_mask & RCS_STATX_MNT_ID)) {
    errno = ENOSYS;
    return -1;
  }
  *mount_id = stx.stx_mnt_id;
  *dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
  *ino = stx.stx_ino;
  return 0;
}

int rcs_statx_entry(int dirfd, const char *path, int flags, struct rcs_entry_stat *out) {
  struct statx stx;
  unsigned int mask = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID |
                      STATX_INO | RCS_STATX_MNT_ID;
  if (statx(dirfd, path, flags, mask, &stx) != 0) return -1;
  if (!(stx.stx_mask & RCS_STATX_MNT_ID)) {
    errno = ENOSYS;
    return -1;
  }
  out->ino = stx.stx_ino;
  out->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
  out->mnt_id = stx.stx_mnt_id;
  out->uid = stx.stx_uid;
  out->gid = stx.stx_gid;
  out->nlink = stx.stx_nlink;
  out->mode = stx.stx_mode;
  return 0;
}

ssize_t rcs_getdents64(int fd, void *buf, size_t size) {
  return (ssize_t)syscall(__NR_getdents64, fd, buf, size);
}

int rcs_fchmodat2(int dirfd, const char *path, unsigned int mode, int flags) {
  return (int)syscall(__NR_fchmodat2, dirfd, path, mode, flags);
}

int rcs_statmount_supported(void) {
  struct rcs_mnt_id_req req = {sizeof req, 0, 0x80000000ull, RCS_STATMOUNT_MNT_BASIC};
  char buf[sizeof(struct rcs_statmount) + 64];
  long rc = syscall(__NR_statmount, &req, buf, sizeof buf, 0);
  if (rc == -1 && errno == ENOSYS) return -1;
  return 0;
}

int rcs_statmount_idmaps(const char *path, char *out, size_t size, uint32_t *uid_count,
                         uint32_t *gid_count) {
  struct statx stx;
  memset(&stx, 0, sizeof stx);
  if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, RCS_STATX_MNT_ID_UNIQUE, &stx) != 0) return -1;
  if (!(stx.stx_mask & RCS_STATX_MNT_ID_UNIQUE)) {
    errno = EOPNOTSUPP;
    return -1;
  }
  uint64_t unique = stx.stx_mnt_id;
  size_t bufsize = 4096;
  for (;;) {
    struct rcs_statmount *sm = malloc(bufsize);
    if (!sm) return -1;
    struct rcs_mnt_id_req req = {sizeof req, 0, unique,
                                 RCS_STATMOUNT_MNT_UIDMAP | RCS_STATMOUNT_MNT_GIDMAP};
    long rc = syscall(__NR_statmount, &req, sm, bufsize, 0);
    if (rc == -1 && errno == EOVERFLOW && bufsize < (1u << 20)) {
      free(sm);
      bufsize *= 4;
      continue;
    }
    if (rc == -1) {
      int e = errno;
      free(sm);
      errno = e;
      return -1;
    }
    if (!(sm->mask & RCS_STATMOUNT_MNT_UIDMAP)) {
      free(sm);
      errno = EOPNOTSUPP;
      return -1;
    }
    size_t used = 0;
    uint32_t counts[2] = {sm->mnt_uidmap_num, sm->mnt_gidmap_num};
    uint32_t offsets[2] = {sm->mnt_uidmap, sm->mnt_gidmap};
    for (int which = 0; which < 2; which++) {
      const char *p = sm->str + offsets[which];
      for (uint32_t i = 0; i < counts[which]; i++) {
        size_t len = strlen(p) + 1;
        if (used + len > size) {
          free(sm);
          errno = ERANGE;
          return -1;
        }
        memcpy(out + used, p, len);
        used += len;
        p += len;
      }
    }
    *uid_count = counts[0];
    *gid_count = counts[1];
    free(sm);
    return (int)used;
  }
}

int rcs_statmount_supported_mask(uint64_t *supported) {
  struct statx stx;
  memset(&stx, 0, sizeof stx);
  *supported = 0;
  if (statx(AT_FDCWD, "/", 0, RCS_STATX_MNT_ID_UNIQUE, &stx) != 0) return -1;
  if (!(stx.stx_mask & RCS_STATX_MNT_ID_UNIQUE)) return 0;  // before 6.8
  struct rcs_mnt_id_req req = {sizeof req, 0, stx.stx_mnt_id, RCS_STATMOUNT_SUPPORTED_MASK};
  char buf[sizeof(struct rcs_statmount) + 64];
  if (syscall(__NR_statmount, &req, buf, sizeof buf, 0) != 0) return -1;
  const struct rcs_statmount *sm = (const struct rcs_statmount *)buf;
  // Unknown request bits are ignored silently: before 6.15 the mask lacks the bit.
  if (sm->mask & RCS_STATMOUNT_SUPPORTED_MASK) *supported = sm->supported_mask;
  return 0;
}

// --- overlays whose layers are pinned to fds, for kernels before 6.13 ---------------

struct pinned_job {
  const struct rcs_pin *pins;
  int pin_count;
  const char *const *keys;
  const char *const *values;
  int setting_count;
  const char *data;
  unsigned int read_only;
  char *stage;
  size_t stage_size;
  char *messages;
  size_t messages_size;
  int result;
  int error;
};

static void *pinned_failed(struct pinned_job *job, const char *call, const char *path) {
  job->error = errno;
  snprintf(job->stage, job->stage_size, "%s%s%s", call, path ? " " : "", path ? path : "");
  return NULL;
}

static void read_context_messages(int fs, char *out, size_t size) {
  size_t used = 0;
  char line[512];
  ssize_t n;
  if (size == 0) return;
  out[0] = 0;
  while ((n = read(fs, line, sizeof line - 1)) > 0) {
    line[n] = 0;
    int written = snprintf(out + used, size - used, "%s%s", used ? "; " : "", line);
    if (written < 0 || (size_t)written >= size - used) break;
    used += (size_t)written;
  }
}

// Opens `path` below the private root as an O_PATH directory, never following a
// symlink. Missing directories are made, but only on the scaffold tmpfs itself: a
// pinned tree below is the host's filesystem and is never written.
static int open_mount_point(const char *path, uint64_t scaffold_mount) {
  int dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  const char *p = path;
  char name[256];
  for (;;) {
    while (*p == '/') p++;
    if (!*p) return dir;
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len >= sizeof name) {
      close(dir);
      errno = ENAMETOOLONG;
      return -1;
    }
    memcpy(name, p, len);
    name[len] = 0;
    p += len;
    uint64_t flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    uint64_t resolve = RCS_RESOLVE_NO_SYMLINKS | RCS_RESOLVE_BENEATH;
    int next = rcs_openat2(dir, name, flags, 0, resolve);
    if (next < 0 && errno == ENOENT) {
      uint64_t id = 0, dev, ino;
      if (rcs_mount_id(dir, "", RCS_AT_EMPTY_PATH, &id, &dev, &ino) == 0 && id == scaffold_mount &&
          (mkdirat(dir, name, 0700) == 0 || errno == EEXIST)) {
        next = rcs_openat2(dir, name, flags, 0, resolve);
      } else {
        errno = ENOENT;
      }
    }
    int saved = errno;
    close(dir);
    if (next < 0) {
      errno = saved;
      return -1;
    }
    dir = next;
  }
}

static void *pinned_build(struct pinned_job *job, const int *trees);

static void close_all(int *fds, int count) {
  for (int i = 0; i < count; i++)
    if (fds[i] >= 0) close(fds[i]);
}

static void *pinned_thread(void *argument) {
  struct pinned_job *job = argument;
  // Cloned while still in the caller's namespace: open_tree refuses to clone a mount
  // of another namespace, and a detached clone may be attached in any.
  int trees[job->pin_count > 0 ? job->pin_count : 1];
  for (int i = 0; i < job->pin_count; i++) trees[i] = -1;
  for (int i = 0; i < job->pin_count; i++) {
    const struct rcs_pin *pin = &job->pins[i];
    unsigned int tree_flags = RCS_OPEN_TREE_CLONE | RCS_OPEN_TREE_CLOEXEC | RCS_AT_EMPTY_PATH;
    if (pin->recursive_nosymfollow) tree_flags |= RCS_AT_RECURSIVE;
    trees[i] = rcs_open_tree(pin->fd, "", tree_flags);
    if (trees[i] < 0) {
      pinned_failed(job, "open_tree", pin->path);
      close_all(trees, i);
      return NULL;
    }
    if (pin->recursive_nosymfollow &&
        rcs_mount_setattr(trees[i], "", RCS_AT_EMPTY_PATH | RCS_AT_RECURSIVE, RCS_MOUNT_ATTR_NOSYMFOLLOW,
                          0, 0, 0) != 0) {
      pinned_failed(job, "mount_setattr nosymfollow", pin->path);
      close_all(trees, i + 1);
      return NULL;
    }
  }
  void *done = pinned_build(job, trees);
  close_all(trees, job->pin_count);
  return done;
}

static void *pinned_build(struct pinned_job *job, const int *trees) {
  // CLONE_FS with it: the chroot below must stay this thread's alone.
  if (unshare(CLONE_NEWNS | CLONE_FS) != 0) return pinned_failed(job, "unshare CLONE_NEWNS", NULL);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return pinned_failed(job, "mount MS_REC|MS_PRIVATE", "/");
  int fs = rcs_fsopen("tmpfs", RCS_FSOPEN_CLOEXEC);
  if (fs < 0) return pinned_failed(job, "fsopen tmpfs", NULL);
  if (rcs_fsconfig(fs, RCS_FSCONFIG_SET_STRING, "mode", "0700", 0) != 0 ||
      rcs_fsconfig(fs, RCS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
    int saved = errno;
    close(fs);
    errno = saved;
    return pinned_failed(job, "fsconfig tmpfs", NULL);
  }
  int scaffold = rcs_fsmount(fs, RCS_FSMOUNT_CLOEXEC, 0);
  close(fs);
  if (scaffold < 0) return pinned_failed(job, "fsmount tmpfs", NULL);
  if (rcs_move_mount(scaffold, "", AT_FDCWD, "/", RCS_MOVE_MOUNT_F_EMPTY_PATH) != 0 ||
      fchdir(scaffold) != 0 || chroot(".") != 0) {
    int saved = errno;
    close(scaffold);
    errno = saved;
    return pinned_failed(job, "private root", NULL);
  }
  close(scaffold);
  uint64_t scaffold_mount, dev, ino;
  if (rcs_mount_id(AT_FDCWD, "/", 0, &scaffold_mount, &dev, &ino) != 0)
    return pinned_failed(job, "statx", "/");

  for (int i = 0; i < job->pin_count; i++) {
    const struct rcs_pin *pin = &job->pins[i];
    int at = open_mount_point(pin->path, scaffold_mount);
    if (at < 0) return pinned_failed(job, "pin mount point", pin->path);
    int moved = rcs_move_mount(trees[i], "", at, "", RCS_MOVE_MOUNT_F_EMPTY_PATH | RCS_MOVE_MOUNT_T_EMPTY_PATH);
    int saved = errno;
    close(at);
    errno = saved;
    if (moved != 0) return pinned_failed(job, "move_mount pin", pin->path);
  }

  if (job->data) {
    static const char target[] = "/.reconcile-overlay-target";
    if (mkdir(target, 0700) != 0 && errno != EEXIST) return pinned_failed(job, "mkdir", target);
    if (mount("reconcile", target, "overlay", job->read_only ? MS_RDONLY : 0, job->data) != 0)
      return pinned_failed(job, "mount overlay", NULL);
    job->result = rcs_open_tree(AT_FDCWD, target, RCS_OPEN_TREE_CLONE | RCS_OPEN_TREE_CLOEXEC);
    if (job->result < 0) return pinned_failed(job, "open_tree overlay", NULL);
    return NULL;
  }
  fs = rcs_fsopen("overlay", RCS_FSOPEN_CLOEXEC);
  if (fs < 0) return pinned_failed(job, "fsopen overlay", NULL);
  for (int i = 0; i < job->setting_count; i++) {
    if (rcs_fsconfig(fs, RCS_FSCONFIG_SET_STRING, job->keys[i], job->values[i], 0) != 0) {
      int saved = errno;
      read_context_messages(fs, job->messages, job->messages_size);
      close(fs);
      errno = saved;
      char call[64];
      snprintf(call, sizeof call, "fsconfig %s", job->keys[i]);
      return pinned_failed(job, call, job->values[i]);
    }
  }
  if (rcs_fsconfig(fs, RCS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
    int saved = errno;
    read_context_messages(fs, job->messages, job->messages_size);
    close(fs);
    errno = saved;
    return pinned_failed(job, "fsconfig create overlay", NULL);
  }
  job->result = rcs_fsmount(fs, RCS_FSMOUNT_CLOEXEC, job->read_only ? (unsigned int)RCS_MOUNT_ATTR_RDONLY : 0);
  if (job->result < 0) {
    int saved = errno;
    read_context_messages(fs, job->messages, job->messages_size);
    errno = saved;
    pinned_failed(job, "fsmount overlay", NULL);
  }
  close(fs);
  return NULL;
}

int rcs_overlay_pinned(const struct rcs_pin *pins, int pin_count, const char *const *keys,
                       const char *const *values, int setting_count, const char *data,
                       unsigned int read_only, char *stage, size_t stage_size, char *messages,
                       size_t messages_size) {
  struct pinned_job job = {pins, pin_count, keys, values, setting_count, data, read_only,
                           stage, stage_size, messages, messages_size, -1, 0};
  if (stage_size) stage[0] = 0;
  if (messages_size) messages[0] = 0;
  pthread_t thread;
  int rc = pthread_create(&thread, NULL, pinned_thread, &job);
  if (rc != 0) {
    snprintf(stage, stage_size, "pthread_create");
    errno = rc;
    return -1;
  }
  pthread_join(thread, NULL);
  if (job.result < 0) {
    errno = job.error;
    return -1;
  }
  return job.result;
}

ssize_t rcs_llistxattr(const char *path, char *list, size_t size) {
  return llistxattr(path, list, size);
}

int rcs_rename_exchange(const char *first, const char *second) {
  return (int)syscall(SYS_renameat2, AT_FDCWD, first, AT_FDCWD, second, 2 /* RENAME_EXCHANGE */);
}

int rcs_is_tmpfs(int fd) {
  struct statfs info;
  if (fstatfs(fd, &info) != 0) return -1;
  return info.f_type == 0x01021994 ? 1 : 0;
}

int rcs_setns(int fd, int nstype) { return setns(fd, nstype); }

int rcs_unshare_mount_namespace_private(void) {
  if (unshare(CLONE_NEWNS) != 0) return -1;
  return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = strlen(text);
  ssize_t n = write(fd, text, len);
  int e = errno;
  close(fd);
  if (n != (ssize_t)len) {
    errno = n < 0 ? e : EIO;
    return -1;
  }
  return 0;
}

int rcs_userns_fd(const char *uid_map, const char *gid_map) {
  int to_child[2], to_parent[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) return -1;
  if (pipe2(to_parent, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(to_child[0]); close(to_child[1]); close(to_parent[0]); close(to_parent[1]);
    errno = e;
    return -1;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    char byte = unshare(CLONE_NEWUSER) == 0 ? 'k' : 'e';
    (void)!write(to_parent[1], &byte, 1);
    (void)!read(to_child[0], &byte, 1);
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  char byte = 0;
  int result = -1, err = 0;
  if (read(to_parent[0], &byte, 1) != 1 || byte != 'k') {
    err = EPERM;
  } else {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    if (write_file(path, uid_map) != 0) err = errno;
    if (!err) {
      snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
      (void)write_file(path, "deny");  // only needed when unprivileged
      snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
      if (write_file(path, gid_map) != 0) err = errno;
    }
    if (!err) {
      snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
      result = open(path, O_RDONLY | O_CLOEXEC);
      if (result < 0) err = errno;
    }
  }
  (void)!write(to_child[1], "x", 1);
  close(to_child[1]);
  close(to_parent[0]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  if (err) {
    if (result >= 0) close(result);
    errno = err;
    return -1;
  }
  return result;
}

int rcs_flock_exclusive(int fd, int timeout_ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
    if (errno != EWOULDBLOCK && errno != EINTR) return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (elapsed >= timeout_ms) {
      errno = EWOULDBLOCK;
      return -1;
    }
    struct timespec nap = {0, 20 * 1000000};
    nanosleep(&nap, NULL);
  }
}

int rcs_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
  return lsetxattr(path, name, value, size, 0);
}

int rcs_lremovexattr(const char *path, const char *name) { return lremovexattr(path, name); }

// --- reconcile watch ---

#define RCS_FAN_REPORT_MNT 0x00004000u
#define RCS_FAN_MARK_MNTNS 0x00000110u
#define RCS_FAN_EVENT_INFO_TYPE_MNT 7
#define RCS_STATMOUNT_MNT_POINT 0x10ull

int rcs_fanotify_mount_events(int ns_fd) {
  int fd = fanotify_init(RCS_FAN_REPORT_MNT | FAN_CLOEXEC | FAN_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (fanotify_mark(fd, FAN_MARK_ADD | RCS_FAN_MARK_MNTNS, RCS_FAN_MNT_ATTACH | RCS_FAN_MNT_DETACH,
                    ns_fd, NULL) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int rcs_fanotify_read_mounts(int fd, uint64_t *ids, uint64_t *masks, int max) {
  // Each mount event is 24 bytes of metadata and a 16-byte mount record.
  char buf[4096] __attribute__((aligned(8)));
  size_t room = (size_t)max * 40;
  ssize_t len;
  do {
    len = read(fd, buf, room < sizeof buf ? room : sizeof buf);
  } while (len < 0 && errno == EINTR);
  if (len < 0) return errno == EAGAIN ? 0 : -1;
  int count = 0;
  struct fanotify_event_metadata *meta = (struct fanotify_event_metadata *)buf;
  while (count < max && FAN_EVENT_OK(meta, len)) {
    uint64_t id = 0;
    size_t offset = meta->metadata_len;
    while (offset + 4 <= meta->event_len) {
      struct fanotify_event_info_header hdr;
      memcpy(&hdr, (char *)meta + offset, sizeof hdr);
      if (hdr.len < sizeof hdr || offset + hdr.len > meta->event_len) break;
      if (hdr.info_type == RCS_FAN_EVENT_INFO_TYPE_MNT && hdr.len >= 16)
        memcpy(&id, (char *)meta + offset + 8, sizeof id);
      offset += hdr.len;
    }
    ids[count] = id;
    masks[count] = meta->mask;
    count++;
    meta = FAN_EVENT_NEXT(meta, len);
  }
  return count;
}

int rcs_statmount_mount_point(uint64_t id, char *out, size_t size) {
  char buf[sizeof(struct rcs_statmount) + 4096] __attribute__((aligned(8)));
  struct rcs_mnt_id_req req = {sizeof req, 0, id, RCS_STATMOUNT_MNT_POINT};
  if (syscall(__NR_statmount, &req, buf, sizeof buf, 0) != 0) return -1;
  struct rcs_statmount *sm = (struct rcs_statmount *)buf;
  if (!(sm->mask & RCS_STATMOUNT_MNT_POINT)) {
    errno = EOPNOTSUPP;
    return -1;
  }
  const char *point = sm->str + sm->mnt_point;
  size_t len = strnlen(point, sizeof buf - sizeof(struct rcs_statmount) - sm->mnt_point);
  if (len + 1 > size) {
    errno = ERANGE;
    return -1;
  }
  memcpy(out, point, len + 1);
  return (int)len;
}

int rcs_notify_send(const char *address, const char *message, size_t length) {
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t len = strlen(address);
  if (len == 0 || len >= sizeof sa.sun_path || (address[0] != '/' && address[0] != '@')) {
    errno = EINVAL;
    return -1;
  }
  memcpy(sa.sun_path, address, len);
  if (address[0] == '@') sa.sun_path[0] = 0;  // abstract: no trailing NUL counted
  socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (address[0] == '/'));
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  ssize_t sent;
  do {
    sent = sendto(fd, message, length, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
  } while (sent < 0 && errno == EINTR);
  int e = errno;
  close(fd);
  errno = e;
  return sent < 0 ? -1 : 0;
}

int rcs_termination_signalfd(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int rcs_signalfd_read(int fd) {
  struct signalfd_siginfo info;
  ssize_t len;
  do {
    len = read(fd, &info, sizeof info);
  } while (len < 0 && errno == EINTR);
  if (len < 0) return errno == EAGAIN ? 0 : -1;
  return len == sizeof info ? (int)info.ssi_signo : 0;
}

int rcs_available_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  int count = CPU_COUNT(&set);
  return count > 0 ? count : 1;
}
