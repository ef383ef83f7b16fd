/*
 * signals_posix.c: runtime initialisation on POSIX systems: the fault handlers that turn
 * hardware traps in wasm code into wasm traps, and the stack limit the generated prologues
 * check.
 *
 * Faults outside wasm code are real crashes of the runtime or the host: the handler restores
 * the default action and lets the signal kill the process, so bugs are not hidden.
 * Windows will get a signals_win32.c with a vectored exception handler.
 */
#if !defined(_WIN32)

#include "core/w2e_internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#if defined(__APPLE__)
#include <sys/ucontext.h> /* <ucontext.h> demands _XOPEN_SOURCE there */
#else
#include <ucontext.h>
#endif
#include <unistd.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif

/* Stack the handler runs on: the fault may be a stack overflow in host code. */
#define ALT_STACK_SIZE (128u * 1024u)
/* Room left below the limit for runtime and host C code called from wasm. */
#define STACK_MARGIN (256u * 1024u)
/* Stack size assumed when the limit is infinite. */
#define UNLIMITED_STACK (64u * 1024u * 1024u)

/* The registers the trap logic needs, read from a signal context. */
typedef struct regs {
  uintptr_t pc, fp, sp;
} regs;

/* Per-architecture, per-libc register access. glibc and musl use the same names except where
 * noted; indices are written as numbers where the two disagree on the macro names. */
static bool context_regs(void *ctx, regs *r) {
  ucontext_t *uc = ctx;
#if defined(__linux__) && defined(__x86_64__)
  r->pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  r->fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
  r->sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
  return true;
#elif defined(__linux__) && defined(__aarch64__)
  r->pc = (uintptr_t)uc->uc_mcontext.pc;
  r->fp = (uintptr_t)uc->uc_mcontext.regs[29];
  r->sp = (uintptr_t)uc->uc_mcontext.sp;
  return true;
#elif defined(__linux__) && defined(__riscv) && __riscv_xlen == 64
  /* __gregs[0] is the pc, [2] sp, [8] s0 (the frame pointer). */
  r->pc = (uintptr_t)uc->uc_mcontext.__gregs[0];
  r->fp = (uintptr_t)uc->uc_mcontext.__gregs[8];
  r->sp = (uintptr_t)uc->uc_mcontext.__gregs[2];
  return true;
#elif defined(__linux__) && defined(__s390x__)
  r->pc = (uintptr_t)uc->uc_mcontext.psw.addr;
  r->fp = 0; /* see handle_fault */
  r->sp = (uintptr_t)uc->uc_mcontext.gregs[15];
  return true;
#elif defined(__APPLE__) && defined(__x86_64__)
  r->pc = (uintptr_t)uc->uc_mcontext->__ss.__rip;
  r->fp = (uintptr_t)uc->uc_mcontext->__ss.__rbp;
  r->sp = (uintptr_t)uc->uc_mcontext->__ss.__rsp;
  return true;
#elif defined(__APPLE__) && defined(__aarch64__)
  r->pc = (uintptr_t)uc->uc_mcontext->__ss.__pc;
  r->fp = (uintptr_t)uc->uc_mcontext->__ss.__fp;
  r->sp = (uintptr_t)uc->uc_mcontext->__ss.__sp;
  return true;
#else
  (void)uc, (void)r;
  return false; /* unknown target: every fault is treated as a crash */
#endif
}

static const int trap_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

static void crash(int sig) {
  /* Default action, then return: the faulting instruction runs again and kills the process
   * (and a signal sent with kill() is delivered again once the handler returns). */
  signal(sig, SIG_DFL);
  raise(sig);
}

/* True when a fault address is within reach of a frame being set up at `sp`. */
static bool near_stack(uintptr_t addr, uintptr_t sp) {
  const uintptr_t below = 1u << 20, above = 4096; /* generous: frames can be large */
  return addr >= sp ? addr - sp <= above : sp - addr <= below;
}

static void handle_fault(int sig, siginfo_t *info, void *ctx) {
  regs r;
  if (!context_regs(ctx, &r)) {
    crash(sig);
    return;
  }
  const w2e_module *m;
  uint32_t func;
  uintptr_t pc = r.pc;
#if defined(__s390x__)
  /* SIGILL/SIGFPE arrive with the PSW after the instruction; Cranelift registers those traps
   * on the instruction's last byte (SIGSEGV/SIGBUS ones on its first). */
  if (sig == SIGILL || sig == SIGFPE) pc -= 1;
#endif
  if (!w2e_lookup_code(pc, &m, &func)) {
    /* Some kernels (s390x) report the pc after the trapping instruction for SIGILL/SIGFPE,
     * while si_addr is the instruction itself. */
    uintptr_t addr = (uintptr_t)info->si_addr;
    if ((sig == SIGILL || sig == SIGFPE) && w2e_lookup_code(addr, &m, &func)) pc = addr;
    else {
      crash(sig);
      return;
    }
  }
  uint32_t kind = w2e_lookup_trap(pc);
  if (kind == W2E_TRAP_NONE && (sig == SIGILL || sig == SIGFPE) && pc != (uintptr_t)info->si_addr)
    kind = w2e_lookup_trap((uintptr_t)info->si_addr);
  if (kind == W2E_TRAP_NONE) {
    if ((sig == SIGSEGV || sig == SIGBUS) &&
        w2e_addr_in_memory_reservation((uintptr_t)info->si_addr))
      kind = W2E_TRAP_MEMORY_OUT_OF_BOUNDS; /* a wasm access into a guard region */
    else if (sig == SIGFPE)
      kind = W2E_TRAP_INT_DIV_BY_ZERO; /* s390x divides trap in hardware */
    else if ((sig == SIGSEGV || sig == SIGBUS) && near_stack((uintptr_t)info->si_addr, r.sp))
      kind = W2E_TRAP_STACK_EXHAUSTED; /* the guard page, if the limit check was too lax */
  }
  if (kind == W2E_TRAP_NONE) {
    crash(sig); /* a fault in wasm code that no trap explains: a compiler bug */
    return;
  }
#if defined(__s390x__)
  /* No frame pointer: the back chain at [SP] stands in for one. Not read after a stack
   * overflow, when SP may be in the guard page. */
  r.fp = kind == W2E_TRAP_STACK_EXHAUSTED ? 0 : *(const uintptr_t *)r.sp;
#endif
  w2e_trap_from_signal(kind, pc, r.fp, r.sp);
}

/* The top of the main thread's stack, for a stack of `size` bytes: the program name string the
 * kernel puts at the very top, or the current stack pointer when unavailable (which only makes
 * the limit more conservative). */
static uintptr_t stack_top(uint64_t size) {
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  uintptr_t top = sp;
#if defined(__linux__) && defined(AT_EXECFN)
  uintptr_t execfn = (uintptr_t)getauxval(AT_EXECFN);
  if (execfn > sp && execfn - sp < size / 2) top = execfn;
#endif
  (void)size;
  return top;
}

/* The lowest address of the main thread's stack: the top minus its size limit. */
uintptr_t w2e_os_stack_limit(void) {
  struct rlimit rl;
  uint64_t size = UNLIMITED_STACK;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) size = rl.rlim_cur;
  uintptr_t top = stack_top(size);
  if (top < size) return 0; /* odd stack: do not check */
  /* Tiny stacks (under 1 MiB) keep a quarter for C code instead of the full margin. */
  uint64_t margin = size < 4 * STACK_MARGIN ? size / 4 : STACK_MARGIN;
  return top - (uintptr_t)size + (uintptr_t)margin;
}

/* `--stack-size`: wasm may use `bytes` of the main thread's stack, C code keeps the margin
 * below. Linux grows the main stack up to RLIMIT_STACK as it faults pages in, so a larger size
 * raises the soft limit (never above the hard one). Other systems map the main stack at its
 * full size at exec: a size beyond it is refused. */
const char *w2e_set_stack_size(uint64_t bytes) {
  uint64_t need = bytes + STACK_MARGIN;
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) != 0) return "the stack limit cannot be read";
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
#if defined(__linux__)
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
      return "it is more than the hard stack limit (ulimit -Hs) allows";
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) return "the stack limit cannot be raised";
#else
    return "it is more than this system's stack limit (ulimit -s) allows";
#endif
  }
  uintptr_t top = stack_top(need);
  if (top < need) return "the stack's top is not where expected";
  w2e_stack_limit = top - (uintptr_t)bytes;
  return NULL;
}

void w2e_os_catch_faults(void) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  size_t alt = ALT_STACK_SIZE;
  if ((size_t)SIGSTKSZ > alt) alt = (size_t)SIGSTKSZ;
  ss.ss_sp = malloc(alt);
  ss.ss_size = alt;
  if (ss.ss_sp) sigaltstack(&ss, NULL);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handle_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof trap_signals / sizeof trap_signals[0]; i++)
    sigaction(trap_signals[i], &sa, NULL);
}

#endif /* !_WIN32 */
