/*
 * platform/win32/dirs_win32.c: the operations on a place beneath a grant (platform.h) on
 * Win32. Each finds the entry's full path and attributes (w32_place), answers what POSIX
 * would for the cases Win32 cannot tell apart itself (a trailing slash, "." itself, a link),
 * and acts through a handle whose final path is checked to be beneath the grant
 * (w32_open_checked): what is removed, moved, stamped or opened is what was checked. The
 * places come from the portable walk (wasi/wasi_resolve.c).
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"

#include <stdlib.h>
#include <string.h>

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

/* Opens with `access` and deletes: the unlink and rmdir path. */
static uint32_t delete_checked(const w32_resolved *r) {
  HANDLE h;
  uint32_t err = w32_open_checked(r, DELETE | FILE_WRITE_ATTRIBUTES, &h);
  if (err == WASI_EACCES) err = w32_open_checked(r, DELETE, &h);
  if (err) return err;
  err = delete_handle(h);
  CloseHandle(h);
  return err;
}

/* Links are never followed here, so `follow` changes nothing: a link is loop either way. */
uint32_t w2e_os_open_at(const w2e_place *at, bool follow, uint32_t oflags, uint32_t fdflags,
                        uint64_t base, wasi_fd *out) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  bool rd = base & WASI_RIGHT_FD_READ, wr = base & WASI_RIGHT_FD_WRITE;
  bool creat = oflags & WASI_OFLAG_CREAT, excl = oflags & WASI_OFLAG_EXCL,
       trunc = oflags & WASI_OFLAG_TRUNC;
  bool want_dir = (oflags & WASI_OFLAG_DIRECTORY) || r.trailing_slash;
  DWORD a = r.attrs;
  bool exists = a != INVALID_FILE_ATTRIBUTES;
  if (exists && w32_is_link(a)) err = WASI_ELOOP; /* never followed, and O_NOFOLLOW says loop */
  else if (exists && creat && excl) err = WASI_EEXIST;
  else if (exists && w32_is_dir(a) && (creat || wr || trunc)) err = WASI_EISDIR;
  else if (exists && !w32_is_dir(a) && want_dir) err = WASI_ENOTDIR;
  else if (!exists && !creat) err = w32_missing();
  else if (!exists && r.trailing_slash) err = WASI_EISDIR; /* "name/" cannot be created */
  else if (!exists && want_dir) err = WASI_ENOENT;
  if (err) {
    w32_resolved_free(&r);
    return err;
  }
  bool opening_dir = exists && w32_is_dir(a);
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
  DWORD attrs = FILE_ATTRIBUTE_NORMAL | W32_NOFOLLOW;
  if (fdflags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_SYNC)) attrs |= FILE_FLAG_WRITE_THROUGH;
  HANDLE h = w32_create_at(&r, access, disposition, attrs);
  if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED) {
    /* Times may not be settable (a read-only share): open without that. */
    access &= ~(DWORD)FILE_WRITE_ATTRIBUTES;
    h = w32_create_at(&r, access, disposition, attrs);
  }
  if (h == INVALID_HANDLE_VALUE && disposition == CREATE_NEW && !excl &&
      GetLastError() == ERROR_FILE_EXISTS) /* appeared meanwhile: open it as it is */
    h = w32_create_at(&r, access, OPEN_EXISTING, attrs);
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
  else if (!w32_inside(h, r.root))
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
    out->os.root = _wcsdup(r.root);
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

uint32_t w2e_os_mkdir_at(const w2e_place *at) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  if (r.is_dir_itself || r.attrs != INVALID_FILE_ATTRIBUTES) err = WASI_EEXIST;
  else {
    HANDLE h = w32_create_beneath(r.dir, r.name, r.name_len, FILE_LIST_DIRECTORY, CREATE_NEW,
                                  FILE_ATTRIBUTE_NORMAL | W32_NOFOLLOW, FILE_DIRECTORY_FILE);
    if (h == INVALID_HANDLE_VALUE) err = wasi_win32_errno(GetLastError());
    else CloseHandle(h);
  }
  w32_resolved_free(&r);
  return err;
}

/* Checks a resolved path that must exist: links refused when followed, a trailing slash
 * requires a directory. */
static uint32_t check_existing(const w32_resolved *r, bool follow) {
  if (r->attrs == INVALID_FILE_ATTRIBUTES) return w32_missing();
  if (w32_is_link(r->attrs) && (follow || r->trailing_slash)) return WASI_ELOOP;
  if (r->trailing_slash && !w32_is_dir(r->attrs)) return WASI_ENOTDIR;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_stat_at(const w2e_place *at, bool follow, w2e_filestat *st) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  HANDLE h;
  if (!(err = check_existing(&r, follow)) && !(err = w32_open_checked(&r, 0, &h))) {
    err = w2e_os_fstat(h, st);
    CloseHandle(h);
    if (w32_is_link(r.attrs)) st->filetype = WASI_FILETYPE_SYMBOLIC_LINK;
  }
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_set_times_at(const w2e_place *at, bool follow, const w2e_times *t) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  HANDLE h;
  if (!(err = check_existing(&r, follow)) &&
      !(err = w32_open_checked(&r, FILE_WRITE_ATTRIBUTES, &h))) {
    err = w2e_os_set_times(h, t);
    CloseHandle(h);
  }
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_unlink_at(const w2e_place *at) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  DWORD a = r.attrs;
  if (r.is_dir_itself) err = WASI_EISDIR;
  else if (a == INVALID_FILE_ATTRIBUTES) err = w32_missing();
  else if (w32_is_dir(a) && !w32_is_link(a)) err = WASI_EISDIR;
  else if (r.trailing_slash) err = WASI_ENOTDIR;
  else err = delete_checked(&r); /* a link (file or directory one) is removed itself */
  w32_resolved_free(&r);
  return err;
}

uint32_t w2e_os_rmdir_at(const w2e_place *at) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  DWORD a = r.attrs;
  /* As wasmtime (and rmdir(2) on "."): the directory itself, or "dir/" (cap-std removes it
   * as "dir/."), is inval. */
  if (r.is_dir_itself) err = WASI_EINVAL;
  else if (a == INVALID_FILE_ATTRIBUTES) err = w32_missing();
  else if (!w32_is_dir(a) || w32_is_link(a)) err = WASI_ENOTDIR;
  else if (r.trailing_slash) err = WASI_EINVAL;
  else err = delete_checked(&r);
  w32_resolved_free(&r);
  return err;
}

/* The entries of rename's and link's two places (both or neither: an error frees the first). */
static uint32_t place_pair(const w2e_place *from, const w2e_place *to, w32_resolved *src,
                           w32_resolved *dst) {
  uint32_t err = w32_place(from, src);
  if (!err && (err = w32_place(to, dst))) w32_resolved_free(src);
  return err;
}

uint32_t w2e_os_rename_at(const w2e_place *from, const w2e_place *to) {
  w32_resolved src, dst;
  uint32_t err = place_pair(from, to, &src, &dst);
  if (err) return err;
  DWORD sa = src.attrs, da = dst.attrs;
  bool src_dir = w32_is_dir(sa) && !w32_is_link(sa), dst_dir = w32_is_dir(da) && !w32_is_link(da);
  if (src.is_dir_itself || dst.is_dir_itself) err = WASI_EBUSY;
  else if (sa == INVALID_FILE_ATTRIBUTES) err = w32_missing();
  else if ((src.trailing_slash || dst.trailing_slash) && !src_dir) err = WASI_ENOTDIR;
  else if (da != INVALID_FILE_ATTRIBUTES && src_dir && !dst_dir) err = WASI_ENOTDIR;
  else if (da != INVALID_FILE_ATTRIBUTES && !src_dir && dst_dir) err = WASI_EISDIR;
  else if (wcscmp(src.full, dst.full) != 0) {
    /* POSIX replaces an empty directory: remove it first (it is checked to be inside). */
    if (da != INVALID_FILE_ATTRIBUTES && src_dir && dst_dir) err = delete_checked(&dst);
    HANDLE h;
    if (!err && !(err = w32_open_checked(&src, DELETE, &h))) {
      err = w32_name_beneath(h, false, dst.dir, dst.name, dst.name_len);
      CloseHandle(h);
    }
  }
  w32_resolved_free(&src);
  w32_resolved_free(&dst);
  return err;
}

uint32_t w2e_os_link_at(const w2e_place *from, const w2e_place *to) {
  w32_resolved src, dst;
  uint32_t err = place_pair(from, to, &src, &dst);
  if (err) return err;
  if (src.attrs == INVALID_FILE_ATTRIBUTES) err = w32_missing();
  else if (w32_is_dir(src.attrs)) err = WASI_EPERM;
  else if (dst.is_dir_itself || dst.attrs != INVALID_FILE_ATTRIBUTES) err = WASI_EEXIST;
  else if (src.trailing_slash || dst.trailing_slash) err = WASI_ENOTDIR;
  else {
    HANDLE h; /* the source must be inside (Wine: a host symlink to a file shows as a file) */
    if (!(err = w32_open_checked(&src, 0, &h))) {
      err = w32_name_beneath(h, true, dst.dir, dst.name, dst.name_len);
      CloseHandle(h);
    }
  }
  w32_resolved_free(&src);
  w32_resolved_free(&dst);
  return err;
}

/* Links are never followed on Windows, so the guest cannot make them either: after the new
 * name's own errors (exist, noent: as wasmtime), notsup. */
uint32_t w2e_os_symlink_at(const char *target, const w2e_place *at) {
  w32_resolved r;
  uint32_t err = w32_place(at, &r);
  if (err) return err;
  if (r.is_dir_itself || r.attrs != INVALID_FILE_ATTRIBUTES) err = WASI_EEXIST;
  else if (r.trailing_slash) err = WASI_ENOENT;
  else err = WASI_ENOTSUP;
  w32_resolved_free(&r);
  return err;
}

#endif /* _WIN32 */
