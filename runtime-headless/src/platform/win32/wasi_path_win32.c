/*
 * wasi_path_win32.c: sandboxed path resolution over Win32, directory listings and the path
 * operations of platform.h (the counterpart of platform/posix/path_posix.c, dirs_posix.c and
 * readdir_posix.c).
 *
 * Win32 has no openat, so a directory fd keeps its full host path and a guest path is resolved
 * into a full \\?\ path (no further normalisation by Win32: "..", trailing dots and device
 * names are not interpreted) by walking it one component at a time (see w32_resolve in
 * wasi_win32.h): ".." never climbs above the starting directory (perm), absolute paths are
 * perm, and reparse points (symlinks, junctions, mount points) are never followed: one in the
 * middle of a path gives loop, and a last component that is one is acted on as the link itself
 * where that is safe (unlink, rename, filestat without follow) and refused with loop where it
 * would be followed (path_open, filestat with follow). The guest cannot create links
 * (path_symlink is notsup), so only the host can place them.
 *
 * Known limits: resolution checks components and then opens by path, so a host process racing
 * to swap a checked directory for a junction could redirect one operation (the POSIX side's
 * fd-walk has no such window); directory fds are tracked by path, so a directory renamed while
 * open keeps its old path.
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"
#include "wasi/w2e_wasi.h"

#include <stdlib.h>
#include <string.h>

/* ---- Resolution ---- */

typedef struct wbuf {
  wchar_t *p;
  size_t len, cap;
} wbuf;

static bool wbuf_append(wbuf *b, const wchar_t *s, size_t n) {
  if (b->len + n + 2 > b->cap) {
    size_t cap = (b->len + n + 2) * 2;
    wchar_t *p = realloc(b->p, cap * sizeof *p);
    if (!p) return false;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n * sizeof *s);
  b->len += n;
  b->p[b->len] = 0;
  return true;
}

/* The attributes of a full path ("\\?\C:" means the drive's root directory). */
static DWORD attributes(wbuf *b) {
  bool drive = b->len && b->p[b->len - 1] == L':';
  if (drive) wbuf_append(b, L"\\", 1);
  DWORD a = GetFileAttributesW(b->p);
  if (drive) b->p[--b->len] = 0;
  return a;
}

uint32_t w32_resolve(const wasi_fd *dir, const char *s, w32_resolved *out) {
  memset(out, 0, sizeof *out);
  out->attrs = INVALID_FILE_ATTRIBUTES;
  if (!*s) return WASI_ENOENT;
  if (s[0] == '/') return WASI_EPERM;
  uint32_t err = WASI_ESUCCESS;
  size_t slen = strlen(s);
  out->trailing_slash = s[slen - 1] == '/';
  wbuf b = {0};
  size_t root_len = wcslen(dir->os.path);
  size_t *stack = NULL; /* b.len before each component pushed */
  size_t depth = 0, stack_cap = 0;
  bool last_was_name = false;
  if (!wbuf_append(&b, dir->os.path, root_len)) err = WASI_ENOMEM;
  const char *p = s;
  while (!err && *p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *end = p + strcspn(p, "/");
    size_t n = (size_t)(end - p);
    bool last = true;
    for (const char *q = end; *q; q++)
      if (*q != '/') last = false;
    if (n == 1 && p[0] == '.') {
      last_was_name = false;
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (depth == 0) {
        err = WASI_EPERM; /* above the starting directory */
        break;
      }
      b.len = stack[--depth];
      b.p[b.len] = 0;
      last_was_name = false;
    } else if (memchr(p, '\\', n) || memchr(p, ':', n)) {
      err = WASI_EPERM; /* a Win32 separator, drive or stream: never a plain name here */
      break;
    } else {
      int wn = MultiByteToWideChar(CP_UTF8, 0, p, (int)n, NULL, 0);
      wchar_t *w = wn > 0 ? malloc((size_t)wn * sizeof *w) : NULL;
      if (!w) {
        err = WASI_ENOMEM;
        break;
      }
      MultiByteToWideChar(CP_UTF8, 0, p, (int)n, w, wn);
      if (depth == stack_cap) {
        stack_cap = stack_cap ? stack_cap * 2 : 16;
        size_t *ns = realloc(stack, stack_cap * sizeof *ns);
        if (!ns) {
          free(w);
          err = WASI_ENOMEM;
          break;
        }
        stack = ns;
      }
      stack[depth++] = b.len;
      bool ok = wbuf_append(&b, L"\\", 1) && wbuf_append(&b, w, (size_t)wn);
      free(w);
      if (!ok) {
        err = WASI_ENOMEM;
        break;
      }
      last_was_name = true;
      if (!last) {
        /* A directory walked through: it must exist, be a directory, and not be a link. */
        DWORD a = attributes(&b);
        if (a == INVALID_FILE_ATTRIBUTES) err = wasi_win32_errno(GetLastError());
        else if (a & FILE_ATTRIBUTE_REPARSE_POINT) err = WASI_ELOOP;
        else if (!(a & FILE_ATTRIBUTE_DIRECTORY)) err = WASI_ENOTDIR;
      }
    }
    p = end;
  }
  free(stack);
  if (err) {
    free(b.p);
    return err;
  }
  out->is_dir_itself = !last_was_name;
  out->attrs = attributes(&b);
  if (b.len && b.p[b.len - 1] == L':') wbuf_append(&b, L"\\", 1);
  out->full = b.p;
  return WASI_ESUCCESS;
}

void w32_resolved_free(w32_resolved *r) {
  free(r->full);
  r->full = NULL;
}

static bool is_dir(DWORD a) {
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}
static bool is_link(DWORD a) {
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT);
}
static uint32_t missing(void) {
  uint32_t e = wasi_win32_errno(GetLastError());
  return e == WASI_EIO ? WASI_ENOENT : e;
}

/* True when the open handle's final path is `root` or beneath it: the check after every
 * open that the file reached is inside the preopen, whatever links or races the walk missed
 * (under Wine, a host symlink to a file does not show as a reparse point). */
static bool inside(HANDLE h, const wchar_t *root) {
  wchar_t *final = wasi_win32_final_path(h);
  if (!final) return false;
  size_t n = wcslen(root);
  while (n && root[n - 1] == L'\\') n--;
  bool ok = _wcsnicmp(final, root, n) == 0 && (final[n] == 0 || final[n] == L'\\');
  free(final);
  return ok;
}

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
#define NOFOLLOW (FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT)

/* Opens an existing resolved path itself (a link at the end is not followed) with `access`
 * and checks that it is inside the preopen. Every operation on an existing entry acts through
 * such a handle, never by path: under Wine a host symlink to a file is transparent even to
 * FILE_FLAG_OPEN_REPARSE_POINT, and deleting "link" by path would delete its target. */
static uint32_t open_checked(const w32_resolved *r, const wasi_fd *dir, DWORD access, HANDLE *out) {
  HANDLE h = CreateFileW(r->full, access | FILE_READ_ATTRIBUTES, SHARE_ALL, NULL, OPEN_EXISTING,
                         NOFOLLOW, NULL);
  if (h == INVALID_HANDLE_VALUE) return wasi_win32_errno(GetLastError());
  if (!inside(h, dir->os.root)) {
    CloseHandle(h);
    return WASI_EPERM;
  }
  /* To delete or move a link, the handle must be the link: Wine opens a host symlink to a
   * directory through it (though the name shows as a reparse point), and would remove or
   * move the directory it points to. */
  BY_HANDLE_FILE_INFORMATION info;
  if ((access & DELETE) && is_link(r->attrs) &&
      (!GetFileInformationByHandle(h, &info) ||
       !(info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))) {
    CloseHandle(h);
    return WASI_ENOTSUP;
  }
  *out = h;
  return WASI_ESUCCESS;
}

/* Deletes the entry open as `h` (opened with DELETE). A read-only file has the attribute
 * cleared first when the handle allows (POSIX unlink ignores the file's own permissions). */
static uint32_t delete_handle(HANDLE h) {
  FILE_DISPOSITION_INFO d = {TRUE};
  if (SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof d)) return WASI_ESUCCESS;
  DWORD le = GetLastError();
  FILE_BASIC_INFO basic;
  if (le == ERROR_ACCESS_DENIED &&
      GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic) &&
      (basic.FileAttributes & FILE_ATTRIBUTE_READONLY)) {
    DWORD old = basic.FileAttributes;
    basic.FileAttributes &= ~(DWORD)FILE_ATTRIBUTE_READONLY;
    if (!basic.FileAttributes) basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    if (SetFileInformationByHandle(h, FileBasicInfo, &basic, sizeof basic)) {
      if (SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof d)) return WASI_ESUCCESS;
      le = GetLastError();
      basic.FileAttributes = old;
      SetFileInformationByHandle(h, FileBasicInfo, &basic, sizeof basic);
    }
  }
  return wasi_win32_errno(le);
}

/* Renames the entry open as `h` (opened with DELETE) to the full path `to`, replacing a file
 * there: by handle, so what moves is what was checked. */
static uint32_t rename_handle(HANDLE h, const wchar_t *to) {
  size_t n = wcslen(to);
  size_t size = sizeof(FILE_RENAME_INFO) + (n + 1) * sizeof(wchar_t);
  FILE_RENAME_INFO *info = calloc(1, size);
  if (!info) return WASI_ENOMEM;
  info->ReplaceIfExists = TRUE;
  info->RootDirectory = NULL;
  /* The NT form of a \\?\ path is \??\ (no Win32 path conversion happens here). */
  memcpy(info->FileName, to, (n + 1) * sizeof(wchar_t));
  if (n >= 4 && wcsncmp(to, L"\\\\?\\", 4) == 0) info->FileName[1] = L'?';
  info->FileNameLength = (DWORD)(n * sizeof(wchar_t));
  BOOL ok = SetFileInformationByHandle(h, FileRenameInfo, info, (DWORD)size);
  DWORD le = GetLastError();
  free(info);
  return ok ? WASI_ESUCCESS : wasi_win32_errno(le);
}

/* Opens with `access` and deletes: the unlink and rmdir path. */
static uint32_t delete_checked(const w32_resolved *r, const wasi_fd *dir) {
  HANDLE h;
  uint32_t err = open_checked(r, dir, DELETE | FILE_WRITE_ATTRIBUTES, &h);
  if (err == WASI_EACCES) err = open_checked(r, dir, DELETE, &h);
  if (err) return err;
  err = delete_handle(h);
  CloseHandle(h);
  return err;
}

/* ---- fd_readdir ---- */

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
  HANDLE h = CreateFileW(p, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, SHARE_ALL, NULL,
                         OPEN_EXISTING, NOFOLLOW, NULL);
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

/* ---- path_open ---- */

uint32_t w2e_os_path_open(const wasi_fd *dir, const char *path, bool follow, uint32_t oflags,
                          uint32_t fdflags, uint64_t base, wasi_fd *out) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  bool rd = base & WASI_RIGHT_FD_READ, wr = base & WASI_RIGHT_FD_WRITE;
  bool creat = oflags & WASI_OFLAG_CREAT, excl = oflags & WASI_OFLAG_EXCL,
       trunc = oflags & WASI_OFLAG_TRUNC;
  bool want_dir = (oflags & WASI_OFLAG_DIRECTORY) || r.trailing_slash;
  DWORD a = r.attrs;
  bool exists = a != INVALID_FILE_ATTRIBUTES;
  if (exists && is_link(a)) err = WASI_ELOOP; /* never followed, and O_NOFOLLOW says loop */
  else if (exists && creat && excl) err = WASI_EEXIST;
  else if (exists && is_dir(a) && (creat || wr || trunc)) err = WASI_EISDIR;
  else if (exists && !is_dir(a) && want_dir) err = WASI_ENOTDIR;
  else if (!exists && !creat) err = missing();
  else if (!exists && r.trailing_slash) err = WASI_EISDIR; /* "name/" cannot be created */
  else if (!exists && want_dir) err = WASI_ENOENT;
  if (err) {
    w32_resolved_free(&r);
    return err;
  }
  bool opening_dir = exists && is_dir(a);
  DWORD access, disposition = OPEN_EXISTING;
  if (opening_dir) {
    access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES;
  } else {
    access = (rd || !wr ? GENERIC_READ : 0) | (wr || trunc ? GENERIC_WRITE : 0) |
             FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES;
    /* Nothing is created or truncated through a name that exists: CREATE_NEW fails on any
     * entry (a dangling link included), and truncation waits for the containment check. */
    if (!exists) disposition = CREATE_NEW;
  }
  DWORD attrs = FILE_ATTRIBUTE_NORMAL | NOFOLLOW;
  if (fdflags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_SYNC)) attrs |= FILE_FLAG_WRITE_THROUGH;
  HANDLE h = CreateFileW(r.full, access, SHARE_ALL, NULL, disposition, attrs, NULL);
  if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED) {
    /* Times may not be settable (a read-only share): open without that. */
    access &= ~(DWORD)FILE_WRITE_ATTRIBUTES;
    h = CreateFileW(r.full, access, SHARE_ALL, NULL, disposition, attrs, NULL);
  }
  if (h == INVALID_HANDLE_VALUE && disposition == CREATE_NEW && !excl &&
      GetLastError() == ERROR_FILE_EXISTS) /* appeared meanwhile: open it as it is */
    h = CreateFileW(r.full, access, SHARE_ALL, NULL, OPEN_EXISTING, attrs, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    err = wasi_win32_errno(GetLastError());
    w32_resolved_free(&r);
    return err;
  }
  /* What was opened, checked on the handle itself. */
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) err = wasi_win32_errno(GetLastError());
  else if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) err = WASI_ELOOP;
  else if (!!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != opening_dir)
    err = WASI_EAGAIN; /* replaced between the check and the open */
  else if (!inside(h, dir->os.root))
    err = WASI_EPERM; /* reached outside the preopen (a link the attributes did not show) */
  else if (trunc && !opening_dir) {
    FILE_END_OF_FILE_INFO eof;
    eof.EndOfFile.QuadPart = 0;
    if (!SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof))
      err = wasi_win32_errno(GetLastError());
  }
  if (err) {
    CloseHandle(h);
    w32_resolved_free(&r);
    return err;
  }
  out->kind = opening_dir ? WASI_FD_DIR : WASI_FD_FILE;
  out->filetype = opening_dir ? WASI_FILETYPE_DIRECTORY : WASI_FILETYPE_REGULAR_FILE;
  out->host = h;
  if (opening_dir) {
    out->os.path = r.full, r.full = NULL;
    out->os.root = _wcsdup(dir->os.root);
    if (!out->os.root) {
      CloseHandle(h);
      free(out->os.path);
      out->os.path = NULL;
      out->host = W2E_NO_HANDLE;
      return WASI_ENOMEM;
    }
  }
  w32_resolved_free(&r);
  return WASI_ESUCCESS;
}

/* ---- The other path calls ---- */

uint32_t w2e_os_mkdir(const wasi_fd *dir, const char *path) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  if (r.is_dir_itself || r.attrs != INVALID_FILE_ATTRIBUTES) err = WASI_EEXIST;
  else if (!CreateDirectoryW(r.full, NULL)) err = wasi_win32_errno(GetLastError());
  w32_resolved_free(&r);
  return err;
}

/* Checks a resolved path that must exist: links refused when followed, a trailing slash
 * requires a directory. */
static uint32_t check_existing(const w32_resolved *r, bool follow) {
  if (r->attrs == INVALID_FILE_ATTRIBUTES) return missing();
  if (is_link(r->attrs) && (follow || r->trailing_slash)) return WASI_ELOOP;
  if (r->trailing_slash && !is_dir(r->attrs)) return WASI_ENOTDIR;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_path_stat(const wasi_fd *dir, const char *path, bool follow, w2e_filestat *st) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  HANDLE h;
  if (!(err = check_existing(&r, follow)) && !(err = open_checked(&r, dir, 0, &h))) {
    err = w2e_os_fstat(h, st);
    CloseHandle(h);
    if (is_link(r.attrs)) st->filetype = WASI_FILETYPE_SYMBOLIC_LINK;
  }
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_path_set_times(const wasi_fd *dir, const char *path, bool follow, uint64_t atim,
                               uint64_t mtim, uint32_t flags) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  HANDLE h;
  if (!(err = check_existing(&r, follow)) &&
      !(err = open_checked(&r, dir, FILE_WRITE_ATTRIBUTES, &h))) {
    err = w2e_os_set_times(h, atim, mtim, flags);
    CloseHandle(h);
  }
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_unlink(const wasi_fd *dir, const char *path) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  DWORD a = r.attrs;
  if (r.is_dir_itself) err = WASI_EISDIR;
  else if (a == INVALID_FILE_ATTRIBUTES) err = missing();
  else if (is_dir(a) && !is_link(a)) err = WASI_EISDIR;
  else if (r.trailing_slash) err = WASI_ENOTDIR;
  else err = delete_checked(&r, dir); /* a link (file or directory one) is removed itself */
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_rmdir(const wasi_fd *dir, const char *path) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  DWORD a = r.attrs;
  /* As wasmtime (and rmdir(2) on "."): the directory itself, or "dir/" (cap-std removes it
   * as "dir/."), is inval. */
  if (r.is_dir_itself) err = WASI_EINVAL;
  else if (a == INVALID_FILE_ATTRIBUTES) err = missing();
  else if (!is_dir(a) || is_link(a)) err = WASI_ENOTDIR;
  else if (r.trailing_slash) err = WASI_EINVAL;
  else err = delete_checked(&r, dir);
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_rename(const wasi_fd *sdir, const char *from, const wasi_fd *ddir,
                       const char *to) {
  w32_resolved src, dst;
  uint32_t err = w32_resolve(sdir, from, &src);
  if (err) return err;
  err = w32_resolve(ddir, to, &dst);
  if (err) {
    w32_resolved_free(&src);
    return err;
  }
  DWORD sa = src.attrs, da = dst.attrs;
  bool src_dir = is_dir(sa) && !is_link(sa), dst_dir = is_dir(da) && !is_link(da);
  if (src.is_dir_itself || dst.is_dir_itself) err = WASI_EBUSY;
  else if (sa == INVALID_FILE_ATTRIBUTES) err = missing();
  else if ((src.trailing_slash || dst.trailing_slash) && !src_dir) err = WASI_ENOTDIR;
  else if (da != INVALID_FILE_ATTRIBUTES && src_dir && !dst_dir) err = WASI_ENOTDIR;
  else if (da != INVALID_FILE_ATTRIBUTES && !src_dir && dst_dir) err = WASI_EISDIR;
  else if (wcscmp(src.full, dst.full) != 0) {
    /* POSIX replaces an empty directory: remove it first (it is checked to be inside). */
    if (da != INVALID_FILE_ATTRIBUTES && src_dir && dst_dir) err = delete_checked(&dst, ddir);
    HANDLE h;
    if (!err && !(err = open_checked(&src, sdir, DELETE, &h))) {
      err = rename_handle(h, dst.full);
      CloseHandle(h);
    }
  }
  w32_resolved_free(&src);
  w32_resolved_free(&dst);
  return err;
}

uint32_t w2e_os_link(const wasi_fd *src_dir, const char *from, const wasi_fd *dst_dir,
                     const char *to) {
  w32_resolved src, dst;
  uint32_t err = w32_resolve(src_dir, from, &src);
  if (err) return err;
  err = w32_resolve(dst_dir, to, &dst);
  if (err) {
    w32_resolved_free(&src);
    return err;
  }
  if (src.attrs == INVALID_FILE_ATTRIBUTES) err = missing();
  else if (is_dir(src.attrs)) err = WASI_EPERM;
  else if (dst.is_dir_itself || dst.attrs != INVALID_FILE_ATTRIBUTES) err = WASI_EEXIST;
  else if (src.trailing_slash || dst.trailing_slash) err = WASI_ENOTDIR;
  else {
    HANDLE h; /* the source must be inside (Wine: a host symlink to a file shows as a file) */
    if (!(err = open_checked(&src, src_dir, 0, &h))) {
      CloseHandle(h);
      if (!CreateHardLinkW(dst.full, src.full, NULL)) err = wasi_win32_errno(GetLastError());
    }
  }
  w32_resolved_free(&src);
  w32_resolved_free(&dst);
  return err;
}

/* Links are never followed on Windows, so the guest cannot make them either: after the new
 * path's own errors (perm, noent, exist: as wasmtime), notsup. */
uint32_t w2e_os_symlink(const char *target, const wasi_fd *dir, const char *path) {
  bool absolute = target[0] == '/';
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  if (absolute) err = WASI_EPERM; /* as wasmtime: a link may not point at an absolute path */
  else if (r.is_dir_itself || r.attrs != INVALID_FILE_ATTRIBUTES) err = WASI_EEXIST;
  else if (r.trailing_slash) err = WASI_ENOENT;
  else err = WASI_ENOTSUP;
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_readlink(const wasi_fd *dir, const char *path, uint8_t *out, uint32_t cap,
                         uint32_t *len) {
  w32_resolved r;
  uint32_t err = w32_resolve(dir, path, &r);
  if (err) return err;
  if (r.attrs == INVALID_FILE_ATTRIBUTES) err = missing();
  else if (is_link(r.attrs)) err = WASI_ENOTSUP; /* reparse data is not read */
  else err = WASI_EINVAL;                         /* not a link */
  w32_resolved_free(&r);
  return err;
}

#endif /* _WIN32 */
