/*
 * sanitizer.c: settings for the runtime built with AddressSanitizer (W2E_SANITIZE=1, a CI job).
 * Instances, memories and tables live until the process exits, by design, so LeakSanitizer's
 * report at exit would only list them: it is turned off. Empty in normal builds.
 */
#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#else
typedef int w2e_no_sanitizer; /* keeps the translation unit non-empty */
#endif
