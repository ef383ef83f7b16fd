/*
 * w2e_win32.h: what the Windows-only runtime files (*_win32.c) share.
 */
#ifndef W2E_WIN32_H
#define W2E_WIN32_H

#include "core/w2e_internal.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

/* Writes `len` bytes to `h`: a console gets the UTF-8 converted to UTF-16 (WriteConsoleW),
 * anything else the bytes as they are (WriteFile: binary, no CRLF translation). Returns the
 * number of bytes consumed; false with GetLastError() set when nothing could be written. */
bool w2e_win32_write(HANDLE h, const void *buf, size_t len, size_t *written);

/* The handle of stdio fd 0, 1 or 2 (GetStdHandle), or INVALID_HANDLE_VALUE. */
HANDLE w2e_win32_std_handle(int fd);

/* UTF-8 <-> UTF-16 in fresh heap buffers (free()); NULL on invalid input or no memory. */
wchar_t *w2e_win32_widen(const char *utf8);
char *w2e_win32_narrow(const wchar_t *wide);

#endif /* W2E_WIN32_H */
