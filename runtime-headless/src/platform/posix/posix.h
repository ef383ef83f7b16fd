/*
 * platform/posix/posix.h: what the POSIX platform files share (nothing outside
 * platform/posix/ includes this).
 */
#ifndef W2E_PLATFORM_POSIX_H
#define W2E_PLATFORM_POSIX_H

#include "wasi/wasi_internal.h"

/* The WASI filetype of a host stat mode. */
uint8_t wasi_filetype_of_mode(unsigned mode);

#endif /* W2E_PLATFORM_POSIX_H */
