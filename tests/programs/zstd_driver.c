/*
 * zstd_driver: a small command-line front end to the zstd library, for the programs
 * integration test (cli/tests/programs.rs). It is built to wasm32-wasi together with the
 * library sources of the zstd-sys crate and then run both as a wasm2exe executable and
 * under wasmtime.
 *
 *   zstd_driver c IN OUT [LEVEL]   compress IN into OUT (default level 3, with checksum)
 *   zstd_driver d IN OUT           decompress IN into OUT
 *
 * It uses the streaming API with the library's recommended buffer sizes, so a multi-megabyte
 * file exercises many fd_read/fd_write calls rather than one big buffer. On success it prints
 * one line with the byte counts (deterministic, compared between the two runtimes) and exits
 * with 0. Any failure prints the reason on stderr and exits with 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zstd.h"

static void die(const char *what, const char *detail) {
  fprintf(stderr, "zstd_driver: %s: %s\n", what, detail);
  exit(1);
}

static void check_zstd(size_t code, const char *what) {
  if (ZSTD_isError(code))
    die(what, ZSTD_getErrorName(code));
}

static FILE *open_or_die(const char *path, const char *mode) {
  FILE *file = fopen(path, mode);
  if (!file)
    die(path, strerror(errno));
  return file;
}

static size_t read_or_die(void *buf, size_t size, FILE *file, const char *path) {
  size_t n = fread(buf, 1, size, file);
  if (n < size && ferror(file))
    die(path, strerror(errno));
  return n;
}

static void write_or_die(const void *buf, size_t size, FILE *file, const char *path) {
  if (fwrite(buf, 1, size, file) != size)
    die(path, strerror(errno));
}

static void close_or_die(FILE *file, const char *path) {
  if (fclose(file) != 0)
    die(path, strerror(errno));
}

static void compress(const char *in_path, const char *out_path, int level) {
  FILE *in = open_or_die(in_path, "rb");
  FILE *out = open_or_die(out_path, "wb");
  size_t in_cap = ZSTD_CStreamInSize(), out_cap = ZSTD_CStreamOutSize();
  void *in_buf = malloc(in_cap), *out_buf = malloc(out_cap);
  ZSTD_CCtx *cctx = ZSTD_createCCtx();
  if (!in_buf || !out_buf || !cctx)
    die("compress", "out of memory");
  check_zstd(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level), "level");
  check_zstd(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), "checksum");

  unsigned long long total_in = 0, total_out = 0;
  for (;;) {
    size_t n = read_or_die(in_buf, in_cap, in, in_path);
    total_in += n;
    int last = n < in_cap;
    ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer input = {in_buf, n, 0};
    int finished;
    do {
      ZSTD_outBuffer output = {out_buf, out_cap, 0};
      size_t remaining = ZSTD_compressStream2(cctx, &output, &input, mode);
      check_zstd(remaining, "compress");
      write_or_die(out_buf, output.pos, out, out_path);
      total_out += output.pos;
      finished = last ? remaining == 0 : input.pos == input.size;
    } while (!finished);
    if (last)
      break;
  }
  ZSTD_freeCCtx(cctx);
  free(in_buf);
  free(out_buf);
  close_or_die(in, in_path);
  close_or_die(out, out_path);
  printf("compressed %llu -> %llu bytes (level %d)\n", total_in, total_out, level);
}

static void decompress(const char *in_path, const char *out_path) {
  FILE *in = open_or_die(in_path, "rb");
  FILE *out = open_or_die(out_path, "wb");
  size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
  void *in_buf = malloc(in_cap), *out_buf = malloc(out_cap);
  ZSTD_DCtx *dctx = ZSTD_createDCtx();
  if (!in_buf || !out_buf || !dctx)
    die("decompress", "out of memory");

  unsigned long long total_in = 0, total_out = 0;
  size_t last_ret = 0;
  size_t n;
  while ((n = read_or_die(in_buf, in_cap, in, in_path)) > 0) {
    total_in += n;
    ZSTD_inBuffer input = {in_buf, n, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output = {out_buf, out_cap, 0};
      last_ret = ZSTD_decompressStream(dctx, &output, &input);
      check_zstd(last_ret, "decompress");
      write_or_die(out_buf, output.pos, out, out_path);
      total_out += output.pos;
    }
  }
  if (last_ret != 0)
    die("decompress", "input ends inside a frame (truncated file?)");
  ZSTD_freeDCtx(dctx);
  free(in_buf);
  free(out_buf);
  close_or_die(in, in_path);
  close_or_die(out, out_path);
  printf("decompressed %llu -> %llu bytes\n", total_in, total_out);
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "c") == 0 && argc <= 5) {
    compress(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 3);
  } else if (argc == 4 && strcmp(argv[1], "d") == 0) {
    decompress(argv[2], argv[3]);
  } else {
    fprintf(stderr, "usage: zstd_driver c IN OUT [LEVEL] | zstd_driver d IN OUT\n");
    return 2;
  }
  return 0;
}
