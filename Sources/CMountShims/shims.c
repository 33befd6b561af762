#define _GNU_SOURCE
#include "CMountShims.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

ssize_t rcs_llistxattr(const char *path, char *list, size_t size) {
  return llistxattr(path, list, size);
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
