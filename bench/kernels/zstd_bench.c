/* zstd_bench: compresses a deterministic, semi-compressible multi-MiB buffer in memory with
 * the zstd library (levels 3 and 9), decompresses it again and checks the round trip.
 * Usage: zstd_bench [MIB]. Prints the compressed sizes and a checksum. No file I/O, so it
 * measures the library's code, not WASI calls. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zstd.h"

static const char *WORDS[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
                              "wasm", "sandbox", "compile", "native", "ahead", "of", "time", "module"};

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv) {
  size_t size = (size_t)(argc > 1 ? atoi(argv[1]) : 24) << 20;
  uint8_t *data = malloc(size + 4096);
  size_t len = 0;
  while (len < size) {
    if (next() % 4 == 0) {
      uint64_t run = 16 + next() % 112;
      for (uint64_t i = 0; i < run; i++)
        data[len++] = (uint8_t)(next() >> 56);
    } else {
      for (int i = 0; i < 12; i++) {
        const char *w = WORDS[next() % 16];
        size_t n = strlen(w);
        memcpy(data + len, w, n);
        len += n;
        data[len++] = ' ';
      }
      data[len++] = '\n';
    }
  }
  len = size;
  size_t bound = ZSTD_compressBound(len);
  uint8_t *packed = malloc(bound), *back = malloc(len);
  uint32_t hash = 2166136261u;
  int levels[] = {3, 9};
  for (int l = 0; l < 2; l++) {
    size_t csize = ZSTD_compress(packed, bound, data, len, levels[l]);
    if (ZSTD_isError(csize)) {
      fprintf(stderr, "compress: %s\n", ZSTD_getErrorName(csize));
      return 1;
    }
    for (int r = 0; r < 3; r++) {
      size_t dsize = ZSTD_decompress(back, len, packed, csize);
      if (ZSTD_isError(dsize) || dsize != len || memcmp(back, data, len) != 0) {
        fprintf(stderr, "round trip failed\n");
        return 1;
      }
    }
    for (size_t i = 0; i < csize; i += 97)
      hash = (hash ^ packed[i]) * 16777619u;
    printf("level %d: %zu -> %zu\n", levels[l], len, csize);
  }
  printf("%08x\n", hash);
  return 0;
}
