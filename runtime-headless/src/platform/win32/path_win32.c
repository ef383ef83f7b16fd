/*
 * platform/win32/path_win32.c: the steps of a path walk on Win32 (platform.h), and the checks
 * that keep what an operation opens beneath the grant. The walk itself, and with it every
 * rule of the sandbox about paths, is portable: wasi/wasi_resolve.c.
 *
 * A directory reference is a directory handle with its full \\?\ path (which no further
 * Win32 normalisation touches: "..", trailing dots and device names are not interpreted) and
 * the grant's root (its final path). Each component is first checked by path (so errors are
 * the ones the host shows), then opened beneath the parent's handle (nt_win32.c), so the walk
 * stands where it checked even if the host renames or swaps directories meanwhile; every
 * handle is checked again to be no reparse point and to lie beneath the root. A component
 * holding '\\' or ':' (a separator, drive or stream for Win32) is never a plain name here:
 * perm. Reparse points (symlinks, junctions, mount points) are never followed: entering one
 * is loop, and reading one is notsup, which leaves a last component that is one to the
 * operation: acted on as the link itself where that is safe (unlink, rename, filestat without
 * follow), refused with loop where it would be followed (path_open, filestat with follow).
 * The guest cannot create links (path_symlink is notsup), so only the host can place them.
 *
 * Known limit: a directory fd also keeps its path, for listings (which check that the path
 * still names the fd's own directory) and for the fds opened beneath it; a directory renamed
 * while open keeps its old path there.
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"

#include <stdlib.h>
#include <string.h>

/* The full path of `name` (one UTF-8 component) beneath directory path `parent`, in a fresh
 * heap string; NULL with *err set (perm for a name Win32 would read as more than a name). */
static wchar_t *child_path(const wchar_t *parent, const char *name, uint32_t *err) {
  size_t n = strlen(name);
  if (strchr(name, '\\') || strchr(name, ':')) {
    *err = WASI_EPERM;
    return NULL;
  }
  *err = WASI_ENOMEM;
  int wn = MultiByteToWideChar(CP_UTF8, 0, name, (int)n, NULL, 0);
  if (wn <= 0) return NULL;
  size_t pn = wcslen(parent);
  wchar_t *p = malloc((pn + (size_t)wn + 3) * sizeof *p); /* room for a drive's "\\" too */
  if (!p) return NULL;
  memcpy(p, parent, pn * sizeof *p);
  p[pn] = L'\\';
  MultiByteToWideChar(CP_UTF8, 0, name, (int)n, p + pn + 1, wn);
  p[pn + 1 + (size_t)wn] = 0;
  return p;
}

/* The attributes of a full path ("\\?\C:" means the drive's root directory). */
static DWORD attributes(const wchar_t *path) {
  size_t n = wcslen(path);
  if (!n || path[n - 1] != L':') return GetFileAttributesW(path);
  wchar_t *root = malloc((n + 2) * sizeof *root);
  if (!root) return INVALID_FILE_ATTRIBUTES;
  memcpy(root, path, n * sizeof *root);
  memcpy(root + n, L"\\", 2 * sizeof *root);
  DWORD a = GetFileAttributesW(root);
  free(root);
  return a;
}

uint32_t w32_missing(void) {
  uint32_t e = wasi_win32_errno(GetLastError());
  return e == WASI_EIO ? WASI_ENOENT : e;
}

void w2e_os_dir_of(const wasi_fd *dir, w2e_dirref *out) {
  out->h = dir->host;
  out->path = dir->os.path;
  out->root = dir->os.root;
  out->owned = false;
}

uint32_t w2e_os_dir_enter(const w2e_dirref *parent, const char *name, w2e_dirref *child) {
  uint32_t err;
  wchar_t *path = child_path(parent->path, name, &err);
  if (!path) return err;
  /* A directory walked through: it must exist, be a directory, and not be a link. */
  DWORD a = attributes(path);
  if (a == INVALID_FILE_ATTRIBUTES) err = wasi_win32_errno(GetLastError());
  else if (a & FILE_ATTRIBUTE_REPARSE_POINT) err = WASI_ELOOP;
  else if (!(a & FILE_ATTRIBUTE_DIRECTORY)) err = WASI_ENOTDIR;
  else err = WASI_ESUCCESS;
  /* Entered by handle beneath the parent's, so the next step stands where this one checked,
   * and checked again on the handle (a swap since, or a link Wine did not show). */
  HANDLE h = INVALID_HANDLE_VALUE;
  if (!err) {
    const wchar_t *wname = path + wcslen(parent->path) + 1;
    /* Traverse only: a directory the walk passes through need not be listable. */
    h = w32_create_beneath(parent->h, wname, wcslen(wname), FILE_TRAVERSE, OPEN_EXISTING,
                           W32_NOFOLLOW, FILE_DIRECTORY_FILE);
    if (h == INVALID_HANDLE_VALUE) err = wasi_win32_errno(GetLastError());
  }
  BY_HANDLE_FILE_INFORMATION info;
  if (!err && !GetFileInformationByHandle(h, &info)) err = wasi_win32_errno(GetLastError());
  else if (!err && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) err = WASI_ELOOP;
  else if (!err && !w32_inside(h, parent->root)) err = WASI_EPERM;
  if (err) {
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    free(path);
    return err;
  }
  child->h = h;
  child->path = path;
  child->root = parent->root;
  child->owned = true;
  return WASI_ESUCCESS;
}

void w2e_os_dir_leave(w2e_dirref *d) {
  if (d->owned) {
    CloseHandle(d->h);
    free(d->path);
  }
  d->h = W2E_NO_HANDLE;
  d->path = NULL;
  d->owned = false;
}

uint32_t w32_locate(const w2e_dirref *dir, const char *name, bool trailing_slash,
                    w32_resolved *out) {
  memset(out, 0, sizeof *out);
  out->attrs = INVALID_FILE_ATTRIBUTES;
  out->root = dir->root;
  out->trailing_slash = trailing_slash;
  out->is_dir_itself = strcmp(name, ".") == 0;
  uint32_t err = WASI_ENOMEM;
  wchar_t *full = out->is_dir_itself ? _wcsdup(dir->path) : child_path(dir->path, name, &err);
  if (!full) return err;
  size_t n = wcslen(full);
  if (n && full[n - 1] == L':') { /* a drive: its root directory */
    wchar_t *root = realloc(full, (n + 2) * sizeof *full);
    if (!root) {
      free(full);
      return WASI_ENOMEM;
    }
    full = root;
    memcpy(full + n, L"\\", 2 * sizeof *full);
  }
  out->attrs = attributes(full);
  out->full = full;
  out->dir = dir->h;
  out->name = out->is_dir_itself ? L"" : full + wcslen(dir->path) + 1;
  out->name_len = wcslen(out->name);
  return WASI_ESUCCESS;
}

HANDLE w32_create_at(const w32_resolved *r, DWORD access, DWORD disposition, DWORD flags) {
  return w32_create_beneath(r->dir, r->name, r->name_len, access, disposition, flags, 0);
}

uint32_t w32_place(const w2e_place *at, w32_resolved *out) {
  return w32_locate(&at->dir, at->name, at->trailing_slash, out);
}

void w32_resolved_free(w32_resolved *r) {
  free(r->full);
  r->full = NULL;
}

uint32_t w2e_os_readlink_at(const w2e_dirref *d, const char *name, char **target) {
  w32_resolved r;
  uint32_t err = w32_locate(d, name, false, &r);
  if (err) return err;
  if (r.attrs == INVALID_FILE_ATTRIBUTES) err = w32_missing();
  else if (r.attrs & FILE_ATTRIBUTE_REPARSE_POINT) err = WASI_ENOTSUP; /* never read, never followed */
  else err = WASI_EINVAL;                                               /* not a link */
  w32_resolved_free(&r);
  return err;
}

/* True when the open handle's final path is `root` or beneath it: the check after every
 * open that the file reached is inside the grant, whatever links or races the walk missed
 * (under Wine, a host symlink to a file does not show as a reparse point). */
bool w32_inside(HANDLE h, const wchar_t *root) {
  wchar_t *final = wasi_win32_final_path(h);
  if (!final) return false;
  size_t n = wcslen(root);
  while (n && root[n - 1] == L'\\') n--;
  bool ok = _wcsnicmp(final, root, n) == 0 && (final[n] == 0 || final[n] == L'\\');
  free(final);
  return ok;
}

uint32_t w32_open_checked(const w32_resolved *r, DWORD access, HANDLE *out) {
  HANDLE h = w32_create_at(r, access | FILE_READ_ATTRIBUTES, OPEN_EXISTING, W32_NOFOLLOW);
  if (h == INVALID_HANDLE_VALUE) return wasi_win32_errno(GetLastError());
  if (!w32_inside(h, r->root)) {
    CloseHandle(h);
    return WASI_EPERM;
  }
  /* To delete or move a link, the handle must be the link: Wine opens a host symlink to a
   * directory through it (though the name shows as a reparse point), and would remove or
   * move the directory it points to. */
  BY_HANDLE_FILE_INFORMATION info;
  if ((access & DELETE) && w32_is_link(r->attrs) &&
      (!GetFileInformationByHandle(h, &info) ||
       !(info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))) {
    CloseHandle(h);
    return WASI_ENOTSUP;
  }
  *out = h;
  return WASI_ESUCCESS;
}

#endif /* _WIN32 */
