/*
 * platform/posix/posix.h: what the POSIX platform files share (nothing outside
 * platform/posix/ includes this).
 */
#ifndef W2E_PLATFORM_POSIX_H
#define W2E_PLATFORM_POSIX_H

#include "wasi/wasi_internal.h"

/* The WASI filetype of a host stat mode. */
uint8_t wasi_filetype_of_mode(unsigned mode);

struct stat;
struct timespec;
/* The WASI metadata of a host stat (ino a hash of (dev, ino) as wasmtime). */
void posix_filestat(const struct stat *st, w2e_filestat *out);
/* The times fd/path_filestat_set_times sets, as the timespecs of futimens/utimensat. */
void posix_timespecs(const w2e_times *t, struct timespec ts[2]);
/* The inode number wasmtime reports: SipHash-1-3 (zero key) of dev and ino. */
uint64_t wasi_inode_hash(uint64_t dev, uint64_t ino);

#endif /* W2E_PLATFORM_POSIX_H */
