/* mandelbrot: the escape-time Mandelbrot set on an N x N grid (50 iterations, like the
 * Benchmarks Game), packed into bits; prints the count of points inside and an FNV-1a hash
 * of the bitmap. Usage: mandelbrot [N]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4000;
  uint32_t hash = 2166136261u;
  long inside = 0;
  for (int y = 0; y < n; y++) {
    double ci = 2.0 * y / n - 1.0;
    unsigned byte = 0;
    int bit = 0;
    for (int x = 0; x < n; x++) {
      double cr = 2.0 * x / n - 1.5;
      double zr = 0, zi = 0, tr = 0, ti = 0;
      int i = 0;
      for (; i < 50 && tr + ti <= 4.0; i++) {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
      }
      byte <<= 1;
      if (tr + ti <= 4.0) {
        byte |= 1;
        inside++;
      }
      if (++bit == 8 || x == n - 1) {
        hash = (hash ^ byte) * 16777619u;
        byte = 0;
        bit = 0;
      }
    }
  }
  printf("%ld %08x\n", inside, hash);
  return 0;
}
