/*
 * signals_win32.c: runtime initialisation on Windows, the counterpart of signals_posix.c: a
 * vectored exception handler that turns hardware exceptions in wasm code into wasm traps, and
 * the stack limit the generated prologues check. Also the console/stdio writers the runtime's
 * messages go through (w2e_write_all), since the CRT's write() translates "\n" to "\r\n".
 *
 * Leaving wasm code: unlike the POSIX handler, this one never jumps out itself (a longjmp
 * out of a vectored handler skips the exception dispatcher's frames). It edits the faulting
 * thread's CONTEXT instead so that, on EXCEPTION_CONTINUE_EXECUTION, the thread resumes in
 * w2e_trap_from_signal(kind, pc, fp, sp) in normal context, on the same stack just below the
 * faulting frame; that function records the trap and backtrace and jumps to the innermost
 * w2e_call (trap_jump.h).
 *
 * Exceptions outside wasm code, or in wasm code that no trap explains, are left to the next
 * handler (EXCEPTION_CONTINUE_SEARCH), so real crashes stay crashes.
 */
#if defined(_WIN32)

#include "platform/win32/w2e_win32.h"

#include <stdlib.h>
#include <string.h>

/* Room left below the limit for runtime and host C code called from wasm (and for the
 * exception dispatcher, which runs on the faulting stack). */
#define STACK_MARGIN (256u * 1024u)
/* Distance kept below the faulting stack pointer when resuming in the trap path: the x64
 * calling convention lets a callee write 32 bytes of home space above its return address. */
#define LANDING_GAP 128u

/* True when a fault address is within reach of a frame being set up at `sp`. */
static bool near_stack(uintptr_t addr, uintptr_t sp) {
  const uintptr_t below = 1u << 20, above = 4096;
  return addr >= sp ? addr - sp <= above : sp - addr <= below;
}

static LONG CALLBACK handle_exception(EXCEPTION_POINTERS *info) {
  EXCEPTION_RECORD *rec = info->ExceptionRecord;
  CONTEXT *ctx = info->ContextRecord;
  DWORD code = rec->ExceptionCode;
  switch (code) {
  case EXCEPTION_ACCESS_VIOLATION:
  case EXCEPTION_IN_PAGE_ERROR:
  case EXCEPTION_ILLEGAL_INSTRUCTION:
  case EXCEPTION_INT_DIVIDE_BY_ZERO:
  case EXCEPTION_INT_OVERFLOW:
  case EXCEPTION_STACK_OVERFLOW:
    break;
  default:
    return EXCEPTION_CONTINUE_SEARCH;
  }
#if defined(_M_X64) || defined(__x86_64__)
  uintptr_t pc = (uintptr_t)ctx->Rip, fp = (uintptr_t)ctx->Rbp, sp = (uintptr_t)ctx->Rsp;
#else
  (void)ctx;
  return EXCEPTION_CONTINUE_SEARCH; /* only x86_64 Windows is a target */
#endif
  const w2e_module *m;
  uint32_t func;
  if (!w2e_lookup_code(pc, &m, &func)) return EXCEPTION_CONTINUE_SEARCH;
  uint32_t kind = w2e_lookup_trap(pc);
  if (kind == W2E_TRAP_NONE) {
    /* For access violations, ExceptionInformation[1] is the address accessed. */
    bool av = (code == EXCEPTION_ACCESS_VIOLATION || code == EXCEPTION_IN_PAGE_ERROR) &&
              rec->NumberParameters >= 2;
    uintptr_t addr = av ? (uintptr_t)rec->ExceptionInformation[1] : 0;
    if (av && w2e_addr_in_memory_reservation(addr))
      kind = W2E_TRAP_MEMORY_OUT_OF_BOUNDS; /* a wasm access into a guard region */
    else if (code == EXCEPTION_INT_DIVIDE_BY_ZERO)
      kind = W2E_TRAP_INT_DIV_BY_ZERO;
    else if (code == EXCEPTION_INT_OVERFLOW)
      kind = W2E_TRAP_INT_OVERFLOW;
    else if (code == EXCEPTION_STACK_OVERFLOW || (av && near_stack(addr, sp)))
      kind = W2E_TRAP_STACK_EXHAUSTED; /* the guard page, if the limit check was too lax */
  }
  if (kind == W2E_TRAP_NONE) return EXCEPTION_CONTINUE_SEARCH; /* a compiler bug: crash */

#if defined(_M_X64) || defined(__x86_64__)
  /* Resume in w2e_trap_from_signal(kind, pc, fp, sp) (Microsoft x64 convention: rcx, rdx,
   * r8, r9). The new stack pointer is 16-byte aligned minus 8, as at a function's entry after
   * a call; its "return address" slot is not written here (the dispatcher's own records live
   * below the faulting sp until we return) and is never read: the function does not return. */
  uintptr_t new_sp = ((sp - LANDING_GAP) & ~(uintptr_t)15) - 8;
  ctx->Rcx = kind;
  ctx->Rdx = pc;
  ctx->R8 = fp;
  ctx->R9 = sp;
  ctx->Rsp = new_sp;
  ctx->Rip = (DWORD64)(uintptr_t)&w2e_trap_from_signal;
  return EXCEPTION_CONTINUE_EXECUTION;
#endif
}

bool w2e_win32_wasm_caller(uintptr_t *pc, uintptr_t *fp, uintptr_t *sp) {
#if defined(_M_X64) || defined(__x86_64__)
  /* The runtime's C functions all have SEH unwind data (.pdata); wasm code has none, so the
   * walk stops at the first return address inside wasm code. */
  CONTEXT ctx;
  RtlCaptureContext(&ctx);
  for (int depth = 0; depth < 16; depth++) {
    DWORD64 base;
    PRUNTIME_FUNCTION entry = RtlLookupFunctionEntry(ctx.Rip, &base, NULL);
    if (!entry) return false;
    PVOID handler_data;
    DWORD64 establisher;
    RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, ctx.Rip, entry, &ctx, &handler_data, &establisher,
                     NULL);
    const w2e_module *m;
    uint32_t func;
    /* Rip - 1: the call may be the last instruction of its function. */
    if (ctx.Rip && w2e_lookup_code((uintptr_t)ctx.Rip - 1, &m, &func)) {
      *pc = (uintptr_t)ctx.Rip - 1;
      *fp = (uintptr_t)ctx.Rbp;
      *sp = (uintptr_t)ctx.Rsp;
      return true;
    }
  }
#else
  (void)pc, (void)fp, (void)sp;
#endif
  return false;
}

/* The lowest usable address of this thread's stack plus a margin: the reservation's base
 * (VirtualQuery's AllocationBase of a stack address) is where the guard pages end the
 * stack. The main thread's reservation is the executable's SizeOfStackReserve: 16 MiB as
 * `zig cc` links by default, 1 MiB with MSVC's or LLD's own default (/STACK or
 * -Wl,--stack,N change it). */
uintptr_t w2e_os_stack_limit(void) {
  MEMORY_BASIC_INFORMATION mbi;
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (VirtualQuery((void *)here, &mbi, sizeof mbi) != sizeof mbi) return 0;
  uintptr_t low = (uintptr_t)mbi.AllocationBase;
  NT_TIB *tib = (NT_TIB *)NtCurrentTeb();
  uintptr_t high = (uintptr_t)tib->StackBase;
  if (!low || high <= low || here < low || here >= high) return 0; /* odd stack: unchecked */
  uintptr_t size = high - low;
  /* Small stacks (under 1 MiB) keep a quarter for C code instead of the full margin. */
  uintptr_t margin = size < 4 * STACK_MARGIN ? size / 4 : STACK_MARGIN;
  return low + margin;
}

/* `--stack-size`: wasm may use `bytes` of the main thread's stack. Its reservation is fixed
 * when the process starts (the executable's SizeOfStackReserve): a larger size is refused. */
const char *w2e_set_stack_size(uint64_t bytes) {
  MEMORY_BASIC_INFORMATION mbi;
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (VirtualQuery((void *)here, &mbi, sizeof mbi) != sizeof mbi) return "the stack cannot be found";
  uintptr_t low = (uintptr_t)mbi.AllocationBase;
  uintptr_t high = (uintptr_t)((NT_TIB *)NtCurrentTeb())->StackBase;
  if (!low || high <= low || bytes + STACK_MARGIN > high - low)
    return "it is more than the executable's stack reservation (16 MiB) allows";
  w2e_stack_limit = high - (uintptr_t)bytes;
  return NULL;
}

void w2e_os_catch_faults(void) {
  /* First in the chain: wasm faults must be seen before any frame-based handler. */
  AddVectoredExceptionHandler(1, handle_exception);
  /* No "the program has stopped working" dialog when a real crash happens. */
  SetErrorMode(GetErrorMode() | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
}

/* ---- Stdio output ---- */

HANDLE w2e_win32_std_handle(int fd) {
  DWORD which = fd == 0 ? STD_INPUT_HANDLE : fd == 1 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE;
  HANDLE h = GetStdHandle(which);
  return h ? h : INVALID_HANDLE_VALUE;
}

bool w2e_win32_write(HANDLE h, const void *buf, size_t len, size_t *written) {
  *written = 0;
  if (len == 0) return true;
  DWORD mode;
  if (GetConsoleMode(h, &mode)) {
    /* A console takes UTF-16: convert (invalid bytes become U+FFFD) and report the whole
     * buffer consumed. */
    int n = len > 0x7fffffff ? 0x7fffffff : (int)len;
    int wn = MultiByteToWideChar(CP_UTF8, 0, buf, n, NULL, 0);
    wchar_t *w = wn > 0 ? malloc((size_t)wn * sizeof *w) : NULL;
    if (w && MultiByteToWideChar(CP_UTF8, 0, buf, n, w, wn) == wn) {
      int at = 0;
      while (at < wn) {
        DWORD done = 0;
        if (!WriteConsoleW(h, w + at, (DWORD)(wn - at), &done, NULL) || done == 0) break;
        at += (int)done;
      }
      free(w);
      if (at == wn) {
        *written = (size_t)n;
        return true;
      }
      return false;
    }
    free(w);
    /* Fall through to the bytes as they are. */
  }
  const char *p = buf;
  while (len > 0) {
    DWORD chunk = len > 0x40000000u ? 0x40000000u : (DWORD)len, done = 0;
    if (!WriteFile(h, p, chunk, &done, NULL)) return *written > 0;
    if (done == 0) break;
    p += done;
    len -= done;
    *written += done;
  }
  return true;
}

void w2e_write_all(int fd, const char *buf, size_t len) {
  HANDLE h = w2e_win32_std_handle(fd);
  if (h == INVALID_HANDLE_VALUE) return;
  while (len > 0) {
    size_t n;
    if (!w2e_win32_write(h, buf, len, &n) || n == 0) return;
    buf += n;
    len -= n;
  }
}

wchar_t *w2e_win32_widen(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0) return NULL;
  wchar_t *w = malloc((size_t)n * sizeof *w);
  if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
    free(w);
    return NULL;
  }
  return w;
}

char *w2e_win32_narrow(const wchar_t *w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  if (n <= 0) return NULL;
  char *s = malloc((size_t)n);
  if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
    free(s);
    return NULL;
  }
  return s;
}

#endif /* _WIN32 */
