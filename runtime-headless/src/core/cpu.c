/*
 * cpu.c: the CPU check of executables built with `wasm2exe --cpu` above the baseline. Their
 * config has a "cpu" record per feature the code uses (w2e_config.h); config.c checks each
 * here before anything runs, so an older CPU gets a sentence naming the missing feature
 * instead of SIGILL somewhere in the program.
 */
#include "core/w2e_internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

/* Where CPUID reports a feature, and which register state the OS must save for it. */
enum state { NO_STATE, AVX_STATE, AVX512_STATE };
struct x86_feature {
  const char *name; /* as compiler/src/emit/isa.rs names it */
  int word;         /* 0: leaf 1 ECX, 1: leaf 7 EBX, 2: leaf 0x80000001 ECX */
  unsigned bit;
  enum state state;
};
static const struct x86_feature x86_features[] = {
    {"avx", 0, 28, AVX_STATE},      {"fma", 0, 12, AVX_STATE},
    {"avx2", 1, 5, AVX_STATE},      {"bmi1", 1, 3, NO_STATE},
    {"bmi2", 1, 8, NO_STATE},       {"lzcnt", 2, 5, NO_STATE},
    {"avx512f", 1, 16, AVX512_STATE}, {"avx512dq", 1, 17, AVX512_STATE},
    {"avx512vl", 1, 31, AVX512_STATE},
};

bool w2e_cpu_has(const char *feature) {
  unsigned a, b, c, d, words[3] = {0, 0, 0};
  if (__get_cpuid(1, &a, &b, &c, &d)) words[0] = c;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) words[1] = b;
  if (__get_cpuid(0x80000001, &a, &b, &c, &d)) words[2] = c;
  /* AVX registers are usable only if the OS saves them (OSXSAVE, then XCR0's bits). */
  uint64_t xcr0 = 0;
  if (words[0] & (1u << 27)) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = ((uint64_t)hi << 32) | lo;
  }
  bool avx_state = (xcr0 & 0x6) == 0x6;
  bool avx512_state = avx_state && (xcr0 & 0xe0) == 0xe0;
  for (size_t i = 0; i < sizeof x86_features / sizeof x86_features[0]; i++) {
    const struct x86_feature *f = &x86_features[i];
    if (strcmp(f->name, feature)) continue;
    bool state = f->state == NO_STATE || (f->state == AVX_STATE ? avx_state : avx512_state);
    return (words[f->word] >> f->bit & 1) && state;
  }
  return false;
}
#elif defined(__riscv) && __riscv_xlen == 64 && !defined(_WIN32)
#include <setjmp.h>
#include <signal.h>

/* riscv64 code for wasm SIMD uses the V extension (the only feature named here: "v"). The
 * check runs one vector instruction and catches SIGILL: the kernel's HWCAP would do, but
 * qemu-user 7.2 never reports V there, even on a CPU model that has it. */
static sigjmp_buf probe_jump;
static void probe_failed(int sig) {
  (void)sig;
  siglongjmp(probe_jump, 1);
}

bool w2e_cpu_has(const char *feature) {
  if (strcmp(feature, "v")) return false;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = probe_failed;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGILL, &sa, &old);
  volatile bool has = false;
  if (!sigsetjmp(probe_jump, 1)) {
    /* vsetvli t0, zero, e8, m1, ta, ma (encoded: assemblers without V reject the mnemonic) */
    __asm__ volatile(".4byte 0x0c0072d7" : : : "t0", "memory");
    has = true;
  }
  sigaction(SIGILL, &old, NULL);
  return has;
}
#else
/* wasm2exe adds CPU features only to x86_64 code (and V to riscv64 code): any other CPU has
 * none of the names. */
bool w2e_cpu_has(const char *feature) {
  (void)feature;
  return false;
}
#endif

/* ---- The baseline every executable of a cell assumes, checked at start-up whatever --cpu
 * said: x86_64 code is built for x86-64-v2, i686 code for pentium4 (SSE2, which wasm's float
 * semantics need: x87 rounds differently). Other architectures' baselines are what every CPU
 * of the architecture has. ---- */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

const char *w2e_cpu_missing_baseline(void) {
  unsigned a, b, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return "cpuid";
  if (!(d >> 26 & 1)) return "sse2";
#if defined(__x86_64__)
  static const struct {
    const char *name;
    unsigned bit; /* of leaf 1 ECX */
  } v2[] = {{"sse3", 0}, {"ssse3", 9}, {"sse4.1", 19}, {"sse4.2", 20}, {"popcnt", 23}};
  for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++)
    if (!(c >> v2[i].bit & 1)) return v2[i].name;
#endif
  return NULL;
}
#else
const char *w2e_cpu_missing_baseline(void) { return NULL; }
#endif
