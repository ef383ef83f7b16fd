/*
 * platform/win32/readdir_win32.c: directory listings on Win32 (platform.h): a listing is read
 * whole when a scan starts (with file ids, so the guest's libc need not stat each entry for
 * its inode) and kept on the fd until the next scan starts over.
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"

#include <stdlib.h>
#include <string.h>

static uint8_t type_of_attrs(DWORD a) {
  return a & FILE_ATTRIBUTE_REPARSE_POINT ? WASI_FILETYPE_SYMBOLIC_LINK
         : a & FILE_ATTRIBUTE_DIRECTORY   ? WASI_FILETYPE_DIRECTORY
                                          : WASI_FILETYPE_REGULAR_FILE;
}

/* Appends one entry to os->ents (name: `n` UTF-16 units). */
static uint32_t add_entry(wasi_fd_os *os, uint32_t *cap, const wchar_t *name, size_t n, DWORD attrs,
                          uint64_t ino) {
  if ((n == 1 && name[0] == L'.') || (n == 2 && name[0] == L'.' && name[1] == L'.'))
    return WASI_ESUCCESS;
  if (os->num_ents == *cap) {
    uint32_t c = *cap ? *cap * 2 : 32;
    w32_dirent *ents = realloc(os->ents, c * sizeof *ents);
    if (!ents) return WASI_ENOMEM;
    os->ents = ents;
    *cap = c;
  }
  int len = WideCharToMultiByte(CP_UTF8, 0, name, (int)n, NULL, 0, NULL, NULL);
  char *s = malloc((size_t)len + 1);
  if (!s) return WASI_ENOMEM;
  WideCharToMultiByte(CP_UTF8, 0, name, (int)n, s, len, NULL, NULL);
  s[len] = 0;
  w32_dirent *d = &os->ents[os->num_ents++];
  d->name = s;
  d->type = type_of_attrs(attrs);
  d->ino = ino;
  return WASI_ESUCCESS;
}

void w32_clear_listing(wasi_fd_os *os) {
  for (uint32_t i = 0; i < os->num_ents; i++) free(os->ents[i].name);
  free(os->ents);
  os->ents = NULL;
  os->num_ents = 0;
}

/* Reads the directory's entries (without "." and "..") into os->ents, with their file ids
 * (FileIdBothDirectoryInfo on the open handle), so the guest's libc need not stat each entry
 * for its inode. Falls back to FindFirstFileExW (inode 0) where the file system has no ids. */
/* A fresh handle on directory fd `e` (NULL when that fails or finds another directory than
 * the fd's own): Wine answers a restarted listing of a long-open handle from what it read
 * first, so entries created since would be missing. */
static HANDLE fresh_dir_handle(HANDLE dir, const wasi_fd_os *os) {
  size_t n = wcslen(os->path);
  wchar_t *p = malloc((n + 2) * sizeof *p);
  if (!p) return NULL;
  memcpy(p, os->path, (n + 1) * sizeof *p);
  if (n && p[n - 1] == L':') wcscat(p, L"\\"); /* a drive's root */
  HANDLE h = CreateFileW(p, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, W32_SHARE_ALL, NULL,
                         OPEN_EXISTING, W32_NOFOLLOW, NULL);
  free(p);
  if (h == INVALID_HANDLE_VALUE) return NULL;
  BY_HANDLE_FILE_INFORMATION a, b;
  if (GetFileInformationByHandle(h, &a) && GetFileInformationByHandle(dir, &b) &&
      a.dwVolumeSerialNumber == b.dwVolumeSerialNumber && a.nFileIndexHigh == b.nFileIndexHigh &&
      a.nFileIndexLow == b.nFileIndexLow)
    return h;
  CloseHandle(h);
  return NULL;
}

static uint32_t read_listing(HANDLE dir, wasi_fd_os *os) {
  w32_clear_listing(os);
  uint32_t cap = 0, err = WASI_ESUCCESS;
  BY_HANDLE_FILE_INFORMATION self;
  const DWORD size = 64 * 1024;
  uint8_t *buf = malloc(size);
  if (!buf) return WASI_ENOMEM;
  HANDLE fresh = fresh_dir_handle(dir, os), dh = fresh ? fresh : dir;
  bool first = true, ids = GetFileInformationByHandle(dh, &self);
  while (ids && !err) {
    if (!GetFileInformationByHandleEx(
            dh, first ? FileIdBothDirectoryRestartInfo : FileIdBothDirectoryInfo, buf, size)) {
      DWORD le = GetLastError();
      if (le == ERROR_NO_MORE_FILES) break;
      if (first) ids = false; /* not supported here: list by name */
      else err = wasi_win32_errno(le);
      break;
    }
    first = false;
    for (const uint8_t *p = buf;;) {
      const FILE_ID_BOTH_DIR_INFO *info = (const FILE_ID_BOTH_DIR_INFO *)p;
      uint64_t ino = w2e_os_inode(self.dwVolumeSerialNumber, (uint64_t)info->FileId.QuadPart);
      if ((err = add_entry(os, &cap, info->FileName, info->FileNameLength / sizeof(wchar_t),
                           info->FileAttributes, ino)))
        break;
      if (!info->NextEntryOffset) break;
      p += info->NextEntryOffset;
    }
  }
  free(buf);
  if (fresh) CloseHandle(fresh);
  if (ids || err) return err;

  w32_clear_listing(os);
  cap = 0;
  size_t n = wcslen(os->path);
  wchar_t *pattern = malloc((n + 3) * sizeof *pattern);
  if (!pattern) return WASI_ENOMEM;
  memcpy(pattern, os->path, n * sizeof *pattern);
  if (n && pattern[n - 1] == L'\\') n--;
  memcpy(pattern + n, L"\\*", 3 * sizeof *pattern);
  WIN32_FIND_DATAW fd;
  HANDLE h = FindFirstFileExW(pattern, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
  free(pattern);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD le = GetLastError();
    return le == ERROR_FILE_NOT_FOUND ? WASI_ESUCCESS : wasi_win32_errno(le);
  }
  do err = add_entry(os, &cap, fd.cFileName, wcslen(fd.cFileName), fd.dwFileAttributes, 0);
  while (!err && FindNextFileW(h, &fd));
  FindClose(h);
  return err;
}

uint32_t w2e_os_readdir(w2e_handle h, wasi_fd_os *os, uint64_t cookie, w2e_dirents *out) {
  /* A listing that starts over reads the directory afresh (as wasmtime). */
  uint32_t err;
  if ((cookie == 2 || !os->ents) && (err = read_listing(h, os))) return err;
  for (uint64_t i = cookie - 2; i < os->num_ents; i++) {
    const w32_dirent *d = &os->ents[i];
    if (!w2e_dirent_put(out, i + 3, d->ino, d->type, d->name, strlen(d->name))) break;
  }
  return WASI_ESUCCESS;
}

#endif /* _WIN32 */
