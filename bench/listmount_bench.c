/* Reading a mount table through listmount(2)/statmount(2) (Linux 6.8+) against
 * reading /proc/self/mountinfo, in the same process on the same table.
 * bench/bench.py builds and runs it; it only reads, never mounts.
 *
 * usage: listmount_bench ROUNDS   prints one JSON object: median microseconds per
 * whole-table read for each way, and how many mounts each saw. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#define LSMT_ROOT 0xffffffffffffffffULL
#define STATMOUNT_SB_BASIC 0x1U
#define STATMOUNT_MNT_BASIC 0x2U
#define STATMOUNT_PROPAGATE_FROM 0x4U
#define STATMOUNT_MNT_ROOT 0x8U
#define STATMOUNT_MNT_POINT 0x10U
#define STATMOUNT_FS_TYPE 0x20U
#define STATMOUNT_MNT_OPTS 0x80U
#define STATMOUNT_SB_SOURCE 0x200U

struct mnt_id_req {
  uint32_t size, spare;
  uint64_t mnt_id, param;
};

struct statmount_head { /* the fixed part this tool reads */
  uint32_t size, mnt_opts;
  uint64_t mask;
  uint32_t sb_dev_major, sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags, fs_type;
  uint64_t mnt_id, mnt_parent_id;
  uint32_t mnt_id_old, mnt_parent_id_old;
  uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
  uint32_t mnt_root, mnt_point;
};

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static char *text;
static size_t text_size = 1 << 20;

/* The whole of /proc/self/mountinfo, as reconcile reads it; returns its lines. */
static long read_mountinfo(void) {
  int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t used = 0;
  for (;;) {
    if (used == text_size) text = realloc(text, text_size *= 2);
    ssize_t n = read(fd, text + used, text_size - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += n;
  }
  close(fd);
  long lines = 0;
  for (size_t i = 0; i < used; i++) lines += text[i] == '\n';
  return lines;
}

static uint64_t *ids;
static size_t ids_size = 1 << 16;

/* Every mount id of this namespace, in batches of up to ids_size. */
static long list_all(void) {
  long total = 0;
  struct mnt_id_req req = {.size = sizeof req, .mnt_id = LSMT_ROOT, .param = 0};
  for (;;) {
    long n = syscall(__NR_listmount, &req, ids + total, ids_size - total, 0);
    if (n < 0) return -errno;
    total += n;
    if ((size_t)total < ids_size) return total;
    ids = realloc(ids, (ids_size *= 2) * sizeof *ids);
    req.param = ids[total - 1];
  }
}

static char *buf;
static size_t buf_size = 1 << 16;

/* listmount, then statmount of each id for `mask`; returns how many answered. */
static long stat_all(uint64_t mask) {
  long count = list_all();
  if (count < 0) return count;
  long answered = 0;
  for (long i = 0; i < count; i++) {
    struct mnt_id_req req = {.size = sizeof req, .mnt_id = ids[i], .param = mask};
    while (syscall(__NR_statmount, &req, buf, buf_size, 0) < 0) {
      if (errno == EOVERFLOW) {
        buf = realloc(buf, buf_size *= 2);
        continue;
      }
      if (errno == ENOENT) goto next; /* gone meanwhile */
      return -errno;
    }
    answered++;
  next:;
  }
  return answered;
}

static double median_us(long (*how)(uint64_t), uint64_t mask, int rounds, long *seen) {
  double *t = malloc(rounds * sizeof *t);
  for (int r = 0; r < rounds; r++) {
    double start = now_us();
    *seen = how(mask);
    t[r] = now_us() - start;
  }
  qsort(t, rounds, sizeof *t, cmp);
  double m = t[rounds / 2];
  free(t);
  return m;
}

static long mountinfo_way(uint64_t mask) { (void)mask; return read_mountinfo(); }
static long listmount_way(uint64_t mask) { (void)mask; return list_all(); }

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20;
  text = malloc(text_size);
  ids = malloc(ids_size * sizeof *ids);
  buf = malloc(buf_size);
  long mi, lm, pt, full;
  /* Alternately, so that a busy moment does not favour one way. */
  double t_mi = median_us(mountinfo_way, 0, rounds, &mi);
  double t_lm = median_us(listmount_way, 0, rounds, &lm);
  double t_pt = median_us(stat_all, STATMOUNT_MNT_POINT, rounds, &pt);
  /* What a MountEntry holds: mountinfo's fields but propagate_from, which reconcile
   * never reads and which costs O(peers) per slave mount, as mountinfo's does. */
  uint64_t entry = STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC | STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT |
                   STATMOUNT_FS_TYPE | STATMOUNT_MNT_OPTS | STATMOUNT_SB_SOURCE;
  double t_full = median_us(stat_all, entry, rounds, &full);
  long with_from;
  double t_from = median_us(stat_all, entry | STATMOUNT_PROPAGATE_FROM, rounds, &with_from);
  double t_mi2 = median_us(mountinfo_way, 0, rounds, &mi);
  printf("{\"mountinfo_us\": %.1f, \"mountinfo_lines\": %ld, \"listmount_us\": %.1f, \"listmount_ids\": %ld, "
         "\"statmount_point_us\": %.1f, \"statmount_entry_us\": %.1f, \"statmount_entry_propagate_from_us\": %.1f, "
         "\"statmount_answered\": %ld}\n",
         (t_mi + t_mi2) / 2, mi, t_lm, lm, t_pt, t_full, t_from, full);
  return lm < 0 || full < 0 || with_from < 0;
}
