/* base64: RFC 4648 encode and decode of a deterministic buffer, repeated, with a round-trip
 * check. Usage: base64 [MIB] [ROUNDS]. Prints the encoded length and an FNV-1a checksum of
 * the encoded text. Byte loads, shifts and table lookups. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static int8_t DECODE[256];

static size_t encode(const uint8_t *in, size_t n, char *out) {
  size_t o = 0, i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = ALPHABET[v >> 18];
    out[o++] = ALPHABET[(v >> 12) & 63];
    out[o++] = ALPHABET[(v >> 6) & 63];
    out[o++] = ALPHABET[v & 63];
  }
  if (i < n) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
    out[o++] = ALPHABET[v >> 18];
    out[o++] = ALPHABET[(v >> 12) & 63];
    out[o++] = i + 1 < n ? ALPHABET[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  return o;
}

static long decode(const char *in, size_t n, uint8_t *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 4) {
    int a = DECODE[(uint8_t)in[i]], b = DECODE[(uint8_t)in[i + 1]];
    int c = in[i + 2] == '=' ? 0 : DECODE[(uint8_t)in[i + 2]];
    int d = in[i + 3] == '=' ? 0 : DECODE[(uint8_t)in[i + 3]];
    if ((a | b | c | d) < 0)
      return -1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    out[o++] = v >> 16;
    if (in[i + 2] != '=') out[o++] = (v >> 8) & 255;
    if (in[i + 3] != '=') out[o++] = v & 255;
  }
  return (long)o;
}

int main(int argc, char **argv) {
  size_t size = (size_t)(argc > 1 ? atoi(argv[1]) : 16) << 20;
  int rounds = argc > 2 ? atoi(argv[2]) : 8;
  memset(DECODE, -1, sizeof DECODE);
  for (int i = 0; i < 64; i++)
    DECODE[(uint8_t)ALPHABET[i]] = (int8_t)i;
  size += 1; /* exercise the padding */
  uint8_t *data = malloc(size), *back = malloc(size);
  char *text = malloc(size / 3 * 4 + 8);
  uint32_t x = 123456789u, hash = 2166136261u;
  for (size_t i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    data[i] = (uint8_t)x;
  }
  size_t len = 0;
  for (int r = 0; r < rounds; r++) {
    data[r] ^= 0x5a;
    len = encode(data, size, text);
    long n = decode(text, len, back);
    if (n != (long)size || memcmp(back, data, size) != 0) {
      printf("round trip failed\n");
      return 1;
    }
    for (size_t i = 0; i < len; i += 61)
      hash = (hash ^ (uint8_t)text[i]) * 16777619u;
  }
  printf("%zu %08x\n", len, hash);
  return 0;
}
