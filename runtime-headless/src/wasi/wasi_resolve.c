/*
 * wasi_resolve.c: sandboxed path resolution, the policy of wasi/sandbox.h point 4, written
 * once for every platform. A guest path is resolved under a directory fd one component at a
 * time, keeping the chain of directories walked so far (w2e_os_dir_enter, which never follows
 * a link): ".." pops the chain (the host's ".." is never used, so a directory moved elsewhere
 * cannot lead out), and links are read (w2e_os_readlink_at) and expanded here, their targets
 * resolved by the same walk from the directory holding the link. The result is a place: the
 * directory holding the last component plus that component's name, which the platform's
 * *_at operations act on without following it. No path string is resolved by the host past
 * one component, so a concurrent rename or link swap cannot redirect an operation outside.
 *
 * Errors match wasmtime (cap-std): an absolute path, ".." above the starting directory, or a
 * link whose target is absolute or climbs out yield perm (63); more than MAX_LINKS expansions
 * yield loop (32); an empty path noent. A platform that never follows links (Windows)
 * answers notsup when asked to read one: a link in the middle of a path is then loop, and one
 * at the end is left to the operation.
 */
#include "wasi/wasi_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LINKS 40

/* The directories walked so far: refs[0] is the starting one (borrowed). */
typedef struct chain {
  w2e_dirref *refs;
  int depth, cap;
} chain;

static bool push(chain *c, const w2e_dirref *ref) {
  if (c->depth == c->cap) {
    int cap = c->cap ? c->cap * 2 : 8;
    w2e_dirref *r = realloc(c->refs, (size_t)cap * sizeof *r);
    if (!r) return false;
    c->refs = r;
    c->cap = cap;
  }
  c->refs[c->depth++] = *ref;
  return true;
}

/* Leaves every directory of the chain but the top one when `keep_top`, and frees it. */
static void unwind(chain *c, bool keep_top) {
  for (int i = c->depth - 1; i >= 0; i--)
    if (!(keep_top && i == c->depth - 1)) w2e_os_dir_leave(&c->refs[i]);
  free(c->refs);
}

/* `target` followed by what came after the link in `rest` (from `next` on), in a fresh
 * string; NULL when out of memory. */
static char *splice(const char *target, const char *rest, size_t next) {
  size_t tlen = strlen(target), rlen = strlen(rest + next);
  char *joined = malloc(tlen + rlen + 1);
  if (!joined) return NULL;
  memcpy(joined, target, tlen);
  memcpy(joined + tlen, rest + next, rlen + 1);
  return joined;
}

/* Whether a link's text may be followed: loop past MAX_LINKS expansions, perm when absolute,
 * noent when empty. */
static uint32_t check_link(const char *target, int links) {
  if (links > MAX_LINKS) return WASI_ELOOP;
  if (target[0] == '/') return WASI_EPERM;
  if (target[0] == 0) return WASI_ENOENT;
  return WASI_ESUCCESS;
}

void wasi_place_free(w2e_place *p) {
  if (p->buf) w2e_os_dir_leave(&p->dir);
  free(p->buf);
  memset(p, 0, sizeof *p);
}

uint32_t wasi_resolve(const wasi_fd *dir, const char *path, bool follow, w2e_place *out) {
  memset(out, 0, sizeof *out);
  if (path[0] == 0) return WASI_ENOENT;
  if (path[0] == '/') return WASI_EPERM;
  chain c = {0};
  w2e_dirref start;
  w2e_os_dir_of(dir, &start);
  char *rest = strdup(path); /* what remains to resolve */
  if (!rest || !push(&c, &start)) {
    free(rest);
    unwind(&c, false);
    return WASI_ENOMEM;
  }
  size_t at = 0;
  int links = 0;
  uint32_t err = WASI_ESUCCESS;
  for (;;) {
    while (rest[at] == '/') at++;
    if (rest[at] == 0) { /* only slashes left after a directory: the directory itself */
      out->name = NULL;  /* named "." below */
      break;
    }
    size_t len = strcspn(rest + at, "/");
    char *comp = rest + at;
    size_t next = at + len;
    size_t after = next;
    while (rest[after] == '/') after++;
    bool last = rest[after] == 0;
    bool trailing = last && after > next;
    char saved = rest[next];
    rest[next] = 0;
    if (len == 1 && comp[0] == '.') {
      if (last) {
        out->name = comp;
        out->trailing_slash = trailing;
        break;
      }
      at = after;
      continue;
    }
    if (len == 2 && comp[0] == '.' && comp[1] == '.') {
      if (c.depth == 1) {
        err = WASI_EPERM;
        break;
      }
      w2e_os_dir_leave(&c.refs[--c.depth]);
      if (last) {
        comp[1] = 0; /* "." */
        out->name = comp;
        out->trailing_slash = trailing;
        break;
      }
      at = after;
      continue;
    }
    const w2e_dirref *top = &c.refs[c.depth - 1];
    char *target = NULL;
    if (!last) {
      w2e_dirref child;
      err = w2e_os_dir_enter(top, comp, &child);
      if (!err) {
        if (!push(&c, &child)) {
          w2e_os_dir_leave(&child);
          err = WASI_ENOMEM;
          break;
        }
        at = after;
        continue;
      }
      /* Not a directory to enter: a link to expand, or the error stands. */
      if (err != WASI_ELOOP && err != WASI_ENOTDIR) break;
      if (w2e_os_readlink_at(top, comp, &target)) break;
      err = WASI_ESUCCESS;
    } else if (follow || trailing) {
      uint32_t e = w2e_os_readlink_at(top, comp, &target);
      if (e && e != WASI_EINVAL && e != WASI_ENOENT && e != WASI_ENOTSUP) {
        err = e;
        break;
      }
    }
    if (!target) { /* the last component, not a link to follow */
      out->name = comp;
      out->trailing_slash = trailing;
      break;
    }
    /* Expand the link: its target, then whatever followed the link. */
    err = check_link(target, ++links);
    rest[next] = saved;
    char *joined = err ? NULL : splice(target, rest, next);
    free(target);
    if (err) break;
    if (!joined) {
      err = WASI_ENOMEM;
      break;
    }
    free(rest);
    rest = joined;
    at = 0;
  }
  if (err == WASI_ESUCCESS && !out->name) {
    /* The path ended in slashes right after a directory component ("a/" handled above as a
     * trailing component, so this is e.g. a link target "dir/"): name the directory. */
    char *dot = realloc(rest, 2);
    if (!dot) {
      err = WASI_ENOMEM;
    } else {
      rest = dot;
      strcpy(rest, ".");
      out->name = rest;
      out->trailing_slash = true;
    }
  }
  if (err != WASI_ESUCCESS) {
    free(rest);
    unwind(&c, false);
    memset(out, 0, sizeof *out);
    return err;
  }
  out->buf = rest;
  out->dir = c.refs[c.depth - 1];
  unwind(&c, true);
  return WASI_ESUCCESS;
}

uint32_t wasi_resolve_unfollowed(const wasi_fd *dir, const char *path, w2e_place *out) {
  memset(out, 0, sizeof *out);
  char *s = strdup(path);
  if (!s) return WASI_ENOMEM;
  size_t n = strlen(s);
  bool slash = false;
  while (n > 1 && s[n - 1] == '/') { /* "/" itself stays: it is absolute */
    s[--n] = 0;
    slash = true;
  }
  uint32_t err = wasi_resolve(dir, s, false, out);
  free(s);
  if (!err && slash) out->trailing_slash = true;
  return err;
}
