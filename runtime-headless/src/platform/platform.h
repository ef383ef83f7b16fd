/*
 * platform/platform.h: everything the portable runtime (src/core, src/wasi, src/entry) needs
 * from the operating system, in one small interface. There are two implementations:
 * platform/posix/ (Linux and macOS) and platform/win32/ (Windows); a target compiles exactly
 * one of them (src/layout.rs). Nothing outside those folders calls the OS for files,
 * directories, clocks or randomness, so WASI's logic (argument and pointer checks, rights,
 * the fd table, errno choices, poll's rules, bundles) exists once, in src/wasi/.
 *
 * Conventions: functions that can fail return a WASI errno (the platform maps its own error
 * codes, so the mapping table is platform code) and write results through pointers only on
 * success. Handles are the platform's (types.h): a file descriptor or a HANDLE.
 *
 * The sandbox's guarantees, and which function here carries each, are stated once in
 * wasi/sandbox.h.
 */
#ifndef W2E_PLATFORM_H
#define W2E_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#include "platform/win32/types.h"
#else
#include "platform/posix/types.h"
#endif

/* ---- Guest fds: handles and their per-platform state ---- */

/* The handle of standard stream `fd` (0, 1 or 2), never owned by the fd table, and whether it
 * is a terminal (a console on Windows): WASI reports a character device then. */
w2e_handle w2e_os_stdio(int fd, bool *is_terminal);

/* Releases what a guest fd holds: its handle when `close_handle` (never stdio's, never
 * W2E_NO_HANDLE) and the platform state in `os` (directory streams, paths, listings), which
 * is left zeroed. */
void w2e_os_release(w2e_handle h, wasi_fd_os *os, bool close_handle);

/* Opens host directory `host` (a UTF-8 path, relative to the working directory) as the root
 * of a grant: the handle every path under the grant is resolved beneath. Returns NULL, or a
 * short reason for the start-up error ("No such file or directory", "Not a directory"). */
const char *w2e_os_open_grant(const char *host, w2e_handle *h, wasi_fd_os *os);

/* Makes writes to file `h` append (or stop appending), for fd_fdstat_set_flags. A platform
 * without an append mode on handles may answer success and let w2e_os_io append. */
uint32_t w2e_os_set_append(w2e_handle h, bool append);

#endif /* W2E_PLATFORM_H */
