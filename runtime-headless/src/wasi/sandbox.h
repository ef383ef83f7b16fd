/*
 * sandbox.h: what a wasm2exe executable's sandbox guarantees, and which code makes each
 * guarantee hold. This is the one statement of the invariants: the README links here, and
 * the escape tests (tests/wasi/escape.c, cli/tests/wasi.rs) check them. A change to the
 * runtime that touches any of the places named below must keep every point true on every
 * platform. (A header with no declarations: it is documentation that lives with the code.)
 *
 * 1. Memory. Compiled code reaches only its own linear memory, tables and globals. Each
 *    memory reserves its whole 32-bit index space plus a guard region (core/memory.c), so an
 *    out-of-bounds load or store faults and becomes a trap (platform/posix/signals_posix.c,
 *    platform/win32/signals_win32.c); the builtins check bounds in 64-bit arithmetic. Stack
 *    overflow is caught by the prologues' limit check, not by a crash.
 *
 * 2. Guest pointers. Every pointer and length a WASI call receives is checked against the
 *    memory's current size before use (wasi_guest() in wasi/wasi_internal.h); a bad one is
 *    errno fault (21) with no side effect. No argument value can crash the runtime
 *    (tests/test_wasi_fuzz.c calls every function with random values, also under ASan/UBSan).
 *
 * 3. Default deny. An executable gets no directories, no environment variables and no
 *    run-time grants unless its builder asked for them (the capability records,
 *    include/w2e_config.h, read by entry/config.c). Its only other resources are the three
 *    standard streams it was started with (and connections accepted on them when they are
 *    sockets: platform/posix/sock_posix.c). It cannot start processes, raise signals or
 *    open network connections.
 *
 * 4. Files only beneath a grant. A guest path is always resolved relative to a directory fd
 *    that descends from a grant, and the file it reaches is that directory or beneath it:
 *    - an absolute path, and ".." above the fd's own directory, are refused (perm, 63);
 *    - a symbolic link is followed only if where it leads is still beneath the grant (an
 *      absolute target, or one that climbs out, is perm); more than 40 expansions are loop;
 *    - the last component is followed only when the guest asks (lookup flag or trailing
 *      slash); every operation on it acts on that entry itself;
 *    - nothing the host does meanwhile (renaming, swapping in links) can redirect an
 *      operation outside.
 *    How: the walk is portable code, the same on every platform (wasi/wasi_resolve.c): the
 *    path is walked one component at a time on a chain of directory references, each entered
 *    by the platform without following a link (w2e_os_dir_enter); ".." pops that chain (the
 *    host's ".." is never used), links are read (w2e_os_readlink_at) and expanded by the
 *    runtime itself, and the operation then acts on (directory holding the last component,
 *    that component) without following it (w2e_os_*_at in platform/platform.h): no path
 *    string is resolved by the host past one component. On POSIX (platform/posix/path_posix.c,
 *    dirs_posix.c) a reference is a directory fd, entered with openat(O_NOFOLLOW |
 *    O_DIRECTORY), and operations are *at() calls with AT_SYMLINK_NOFOLLOW / O_NOFOLLOW, so
 *    no rename by the host meanwhile can move a walk outside. On Windows
 *    (platform/win32/path_win32.c, dirs_win32.c, nt_win32.c) a reference is a directory
 *    handle, and each component is opened beneath its parent's handle (NtCreateFile with
 *    RootDirectory and FILE_OPEN_REPARSE_POINT), as are the final opens, creations, renames
 *    and links: links are never followed (a reparse point in a path is loop), and every
 *    handle opened is also checked by its final path to be the grant's root or beneath it
 *    (perm otherwise: under Wine a host symlink to a file shows as no reparse point). Which
 *    errno a call gives is chosen from attributes read by path, so a host racing the guest
 *    can change an error, never lead an operation outside the grant.
 *
 * 5. Rights. Every fd carries rights (wasi/wasi_fd.c) and every call checks the ones it needs
 *    (notcapable otherwise). Rights only shrink: path_open gives a new fd the intersection of
 *    what is asked and what its directory may pass on, and fd_fdstat_set_rights changes
 *    nothing (notsup). Bundles (wasi/wasi_bundle.c) are read-only: no right to write exists
 *    on their fds and every mutating call is rofs; their blob is checked whole at start-up.
 *
 * 6. Bounded host resources. At most 2^20 guest fds (wasi/wasi_fd.c), table growth is capped
 *    (core/table.c), and memory growth stops at the module's maximum.
 *
 * What the platform must provide for 4 is stated on each function of platform/platform.h.
 */
#ifndef W2E_SANDBOX_H
#define W2E_SANDBOX_H
#endif /* W2E_SANDBOX_H */
