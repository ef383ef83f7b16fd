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
/* (time, flags) of fd/path_filestat_set_times as the timespecs of futimens/utimensat. */
uint32_t wasi_timespecs(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec *ts);
/* The inode number wasmtime reports: SipHash-1-3 (zero key) of dev and ino. */
uint64_t wasi_inode_hash(uint64_t dev, uint64_t ino);

#endif /* W2E_PLATFORM_POSIX_H */
