// Forwarders from libmount's own names to the library, opened on first use (see
// include/CLibMount.h). Only rcs_libmount_load() opens it: the forwarders assume it
// succeeded, which LibMountTable checks before making a table.
#include "CLibMount.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

// Each function Probes calls: return type, name, parameters, arguments.
#define RCS_LIBMOUNT_FUNCTIONS(X)                                                              \
  X(struct libmnt_table *, mnt_new_table, (void), ())                                          \
  X(int, mnt_table_set_userdata, (struct libmnt_table * tb, void *data), (tb, data))           \
  X(void *, mnt_table_get_userdata, (struct libmnt_table * tb), (tb))                          \
  X(int, mnt_table_set_parser_errcb,                                                           \
    (struct libmnt_table * tb, int (*cb)(struct libmnt_table *, const char *, int)), (tb, cb)) \
  X(int, mnt_table_parse_stream, (struct libmnt_table * tb, FILE *f, const char *filename),    \
    (tb, f, filename))                                                                         \
  X(int, mnt_table_get_nents, (struct libmnt_table * tb), (tb))                                \
  X(int, mnt_table_next_fs, (struct libmnt_table * tb, struct libmnt_iter *itr,                \
                             struct libmnt_fs **fs), (tb, itr, fs))                            \
  X(int, mnt_table_remove_fs, (struct libmnt_table * tb, struct libmnt_fs *fs), (tb, fs))     \
  X(struct libmnt_iter *, mnt_new_iter, (int direction), (direction))                          \
  X(dev_t, mnt_fs_get_devno, (struct libmnt_fs * fs), (fs))                                    \
  X(int, mnt_fs_get_id, (struct libmnt_fs * fs), (fs))                                         \
  X(int, mnt_fs_get_parent_id, (struct libmnt_fs * fs), (fs))                                  \
  X(const char *, mnt_fs_get_root, (struct libmnt_fs * fs), (fs))                              \
  X(const char *, mnt_fs_get_target, (struct libmnt_fs * fs), (fs))                            \
  X(const char *, mnt_fs_get_source, (struct libmnt_fs * fs), (fs))                            \
  X(const char *, mnt_fs_get_fstype, (struct libmnt_fs * fs), (fs))                            \
  X(const char *, mnt_fs_get_vfs_options, (struct libmnt_fs * fs), (fs))                       \
  X(const char *, mnt_fs_get_fs_options, (struct libmnt_fs * fs), (fs))                        \
  X(const char *, mnt_fs_get_optional_fields, (struct libmnt_fs * fs), (fs))

// And those that return nothing (C does not let them `return` a call).
#define RCS_LIBMOUNT_PROCEDURES(X)                                      \
  X(mnt_unref_table, (struct libmnt_table * tb), (tb))                 \
  X(mnt_free_iter, (struct libmnt_iter * itr), (itr))

#define RCS_POINTER(type, name, parameters, arguments) static type(*real_##name) parameters;
#define RCS_PROCEDURE_POINTER(name, parameters, arguments) static void(*real_##name) parameters;
RCS_LIBMOUNT_FUNCTIONS(RCS_POINTER)
RCS_LIBMOUNT_PROCEDURES(RCS_PROCEDURE_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_result = ELIBACC;
static char load_error[512];

static void *resolve(void *library, const char *name) {
  void *symbol = dlsym(library, name);
  if (symbol == NULL && load_error[0] == 0) {
    const char *why = dlerror();
    snprintf(load_error, sizeof load_error, "libmount.so.1 has no %s: %s", name, why ? why : "not found");
  }
  return symbol;
}

static void load(void) {
  // RTLD_LOCAL: its symbols stay out of the global scope, so they never meet ours.
  void *library = dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *why = dlerror();
    snprintf(load_error, sizeof load_error, "dlopen libmount.so.1: %s", why ? why : "failed");
    return;
  }
#define RCS_RESOLVE(type, name, parameters, arguments) \
  *(void **)(&real_##name) = resolve(library, #name);
#define RCS_RESOLVE_PROCEDURE(name, parameters, arguments) \
  *(void **)(&real_##name) = resolve(library, #name);
  RCS_LIBMOUNT_FUNCTIONS(RCS_RESOLVE)
  RCS_LIBMOUNT_PROCEDURES(RCS_RESOLVE_PROCEDURE)
  if (load_error[0] == 0) load_result = 0;
}

int rcs_libmount_load(void) {
  pthread_once(&once, load);
  return load_result;
}

const char *rcs_libmount_error(void) { return load_error[0] ? load_error : NULL; }

#define RCS_FORWARD(type, name, parameters, arguments) \
  type name parameters { return real_##name arguments; }
#define RCS_FORWARD_PROCEDURE(name, parameters, arguments) \
  void name parameters { real_##name arguments; }
RCS_LIBMOUNT_FUNCTIONS(RCS_FORWARD)
RCS_LIBMOUNT_PROCEDURES(RCS_FORWARD_PROCEDURE)
