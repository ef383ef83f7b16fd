/*
 * platform/win32/files_win32.c: guest fds over Win32 handles (platform.h): standard streams, grants,
 * release, reading and writing, seeking, metadata and times. Standard output and error are
 * written whole with w2e_win32_write (a console gets UTF-16, anything else the bytes
 * unchanged: no CRLF translation).
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"
#include "wasi/w2e_wasi.h"

#include <stdlib.h>
#include <string.h>

void w2e_os_release(w2e_handle h, wasi_fd_os *os, bool close_handle) {
  if (close_handle && h != INVALID_HANDLE_VALUE) CloseHandle(h);
  w32_clear_listing(os);
  free(os->path);
  free(os->root);
  memset(os, 0, sizeof *os);
}

w2e_handle w2e_os_stdio(int fd, bool *is_terminal) {
  HANDLE h = w2e_win32_std_handle(fd);
  DWORD mode;
  *is_terminal = h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode);
  return h;
}

uint32_t w2e_os_set_append(w2e_handle h, bool append) {
  return WASI_ESUCCESS; /* applied by fd_write (a seek to the end first) */
}

/* "\\?\" form of a full path ("C:\x" -> "\\?\C:\x", "\\srv\share" -> "\\?\UNC\srv\share"),
 * without a trailing separator. */
static wchar_t *verbatim_path(const wchar_t *full) {
  size_t n = wcslen(full);
  const wchar_t *prefix = L"\\\\?\\";
  const wchar_t *rest = full;
  if (wcsncmp(full, L"\\\\?\\", 4) == 0) prefix = L"";
  else if (wcsncmp(full, L"\\\\", 2) == 0) prefix = L"\\\\?\\UNC\\", rest = full + 2, n -= 2;
  size_t pn = wcslen(prefix);
  wchar_t *out = malloc((pn + n + 1) * sizeof *out);
  if (!out) return NULL;
  memcpy(out, prefix, pn * sizeof *out);
  memcpy(out + pn, rest, (n + 1) * sizeof *out);
  size_t len = pn + n;
  while (len > pn && out[len - 1] == L'\\') out[--len] = 0;
  return out;
}

wchar_t *wasi_win32_final_path(HANDLE h) {
  DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (!n) return NULL;
  wchar_t *p = malloc(((size_t)n + 1) * sizeof *p);
  if (p && GetFinalPathNameByHandleW(h, p, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) > n) {
    free(p);
    return NULL;
  }
  return p;
}

const char *w2e_os_open_grant(const char *host, w2e_handle *h_out, wasi_fd_os *os) {
  wchar_t *whost = w2e_win32_widen(host);
  if (!whost) return "not valid UTF-8";
  DWORD n = GetFullPathNameW(whost, 0, NULL, NULL);
  wchar_t *full = n ? malloc((size_t)n * sizeof *full) : NULL;
  if (!full || GetFullPathNameW(whost, n, full, NULL) >= n) {
    free(whost);
    free(full);
    return "cannot make the path absolute";
  }
  free(whost);
  wchar_t *path = verbatim_path(full);
  free(full);
  if (!path) return "out of memory";
  size_t len = wcslen(path);
  wchar_t *open_path = malloc((len + 2) * sizeof *open_path);
  if (!open_path) return "out of memory";
  memcpy(open_path, path, (len + 1) * sizeof *open_path);
  if (len && path[len - 1] == L':') wcscat(open_path, L"\\"); /* a drive's root */
  HANDLE h = CreateFileW(open_path, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  free(open_path);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    free(path);
    switch (wasi_win32_errno(e)) {
    case WASI_ENOENT: return "No such file or directory";
    case WASI_EACCES: return "Permission denied";
    default: return "cannot open it";
    }
  }
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info) || !(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
    CloseHandle(h);
    free(path);
    return "Not a directory";
  }
  memset(os, 0, sizeof *os);
  os->path = path;
  os->root = wasi_win32_final_path(h);
  if (!os->root) {
    CloseHandle(h);
    free(path);
    os->path = NULL;
    return "cannot read its final path";
  }
  *h_out = h;
  return NULL;
}

/* ---- Reading and writing ---- */

static bool seek(HANDLE h, int64_t off, DWORD how, uint64_t *pos) {
  LARGE_INTEGER d, np;
  d.QuadPart = off;
  if (!SetFilePointerEx(h, d, &np, how)) return false;
  if (pos) *pos = (uint64_t)np.QuadPart;
  return true;
}

uint32_t w2e_os_io(w2e_handle h, uint8_t *buf, uint32_t len, uint64_t offset, unsigned how,
                   uint32_t *done) {
  bool writing = how & W2E_IO_WRITE;
  *done = 0;
  if (len == 0) return WASI_ESUCCESS;
  if ((how & W2E_IO_STDIO) && writing) {
    size_t n;
    if (!w2e_win32_write(h, buf, len, &n)) return wasi_win32_errno(GetLastError());
    *done = (uint32_t)n;
  } else if (how & W2E_IO_AT) {
    /* A synchronous handle's position moves with an OVERLAPPED offset: put it back, as
     * pread/pwrite leave it. */
    uint64_t saved;
    if (!seek(h, 0, FILE_CURRENT, &saved)) return wasi_win32_errno(GetLastError());
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)offset;
    ov.OffsetHigh = (DWORD)(offset >> 32);
    DWORD n = 0;
    BOOL ok = writing ? WriteFile(h, buf, len, &n, &ov) : ReadFile(h, buf, len, &n, &ov);
    DWORD le = GetLastError();
    seek(h, (int64_t)saved, FILE_BEGIN, NULL);
    if (!ok && le != ERROR_HANDLE_EOF) return wasi_win32_errno(le);
    *done = ok ? n : 0;
  } else {
    if (writing && (how & W2E_IO_APPEND)) seek(h, 0, FILE_END, NULL);
    DWORD n = 0;
    BOOL ok = writing ? WriteFile(h, buf, len, &n, NULL) : ReadFile(h, buf, len, &n, NULL);
    if (!ok) {
      DWORD le = GetLastError();
      /* The writer of a pipe went away, or a file's end: end of file, not an error. */
      if (writing || (le != ERROR_BROKEN_PIPE && le != ERROR_HANDLE_EOF))
        return wasi_win32_errno(le);
      n = 0;
    }
    *done = n;
  }
  return WASI_ESUCCESS;
}

uint32_t w2e_os_seek(w2e_handle h, int64_t offset, int whence, uint64_t *pos) {
  static const DWORD hows[] = {FILE_BEGIN, FILE_CURRENT, FILE_END};
  return seek(h, offset, hows[whence], pos) ? WASI_ESUCCESS : wasi_win32_errno(GetLastError());
}

uint32_t w2e_os_sync(w2e_handle h, bool data_only) {
  return FlushFileBuffers(h) ? WASI_ESUCCESS : wasi_win32_errno(GetLastError());
}

uint32_t w2e_os_advise(w2e_handle h, uint64_t offset, uint64_t len, uint32_t advice) {
  return WASI_ESUCCESS; /* advice only: Win32 has nothing to give it to */
}

uint32_t w2e_os_set_size(w2e_handle h, uint64_t size) {
  FILE_END_OF_FILE_INFO eof;
  eof.EndOfFile.QuadPart = (LONGLONG)size;
  return SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof)
             ? WASI_ESUCCESS
             : wasi_win32_errno(GetLastError());
}

/* ---- Metadata ---- */

/* SplitMix64 finaliser: distinct (volume, file index) pairs give distinct-looking inodes. */
static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t w2e_os_inode(uint64_t volume_serial, uint64_t file_index) {
  return mix64(file_index ^ mix64(volume_serial));
}

/* Never GetFileType on the handle: under Wine that updates the file's access time. */
uint32_t w2e_os_fstat(w2e_handle h, w2e_filestat *st) {
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) return wasi_win32_errno(GetLastError());
  uint64_t index = (uint64_t)info.nFileIndexHigh << 32 | info.nFileIndexLow;
  st->ino = w2e_os_inode(info.dwVolumeSerialNumber, index);
  st->filetype = info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT ? WASI_FILETYPE_SYMBOLIC_LINK
                 : info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY   ? WASI_FILETYPE_DIRECTORY
                                                                      : WASI_FILETYPE_REGULAR_FILE;
  st->nlink = info.nNumberOfLinks;
  st->size = (uint64_t)info.nFileSizeHigh << 32 | info.nFileSizeLow;
  st->atim = wasi_win32_ft_to_ns(info.ftLastAccessTime);
  st->mtim = wasi_win32_ft_to_ns(info.ftLastWriteTime);
  st->ctim = st->mtim;
  FILE_BASIC_INFO basic;
  if (GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic)) {
    FILETIME ft = {(DWORD)basic.ChangeTime.QuadPart, (DWORD)(basic.ChangeTime.QuadPart >> 32)};
    if (basic.ChangeTime.QuadPart) st->ctim = wasi_win32_ft_to_ns(ft);
  }
  return WASI_ESUCCESS;
}

uint32_t w2e_os_set_times(w2e_handle h, const w2e_times *t) {
  FILETIME now, ft[2];
  GetSystemTimeAsFileTime(&now);
  for (int i = 0; i < 2; i++)
    ft[i] = t->change[i] == W2E_TIME_NOW ? now : wasi_win32_ns_to_ft(t->ns[i]);
  bool set_a = t->change[0] != W2E_TIME_KEEP, set_m = t->change[1] != W2E_TIME_KEEP;
  if (!set_a && !set_m) return WASI_ESUCCESS;
  return SetFileTime(h, NULL, set_a ? &ft[0] : NULL, set_m ? &ft[1] : NULL)
             ? WASI_ESUCCESS
             : wasi_win32_errno(GetLastError());
}

#endif /* _WIN32 */
