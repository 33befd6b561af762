// libmount's API as Probes calls it, loaded on first use.
//
// The functions Probes uses are declared by libmount.h and defined in loader.c, which
// forwards each to libmount.so.1 opened with dlopen(3) the first time a table is parsed.
// A command that never reads the mount table (--version, --help, lease, schema) so never
// maps libmount, libblkid, libselinux and libpcre2, nor runs their constructors: that
// was 0.3 to 0.5 ms of every start (docs/decisions.md, "Start-up").
#include <stdio.h>
#include <libmount/libmount.h>

/// Opens libmount.so.1 and resolves the functions below, once per process (later calls
/// return the first result). Returns 0, or ELIBACC when the library or one of its
/// functions is missing; rcs_libmount_error() then says which, in dlerror(3)'s words.
int rcs_libmount_load(void);

/// Why rcs_libmount_load() failed, or NULL.
const char *rcs_libmount_error(void);
