/* matmul: dense double matrix multiply C = A * B (N x N, i-k-j loop order), repeated; prints
 * the trace and the sum of C. Usage: matmul [N] [REPS]. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 600;
  int reps = argc > 2 ? atoi(argv[2]) : 3;
  double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
         *c = malloc(sizeof(double) * n * n);
  unsigned s = 12345;
  for (int i = 0; i < n * n; i++) {
    s = s * 1103515245u + 12345u;
    a[i] = (double)((s >> 16) & 1023) / 1024.0 - 0.5;
    s = s * 1103515245u + 12345u;
    b[i] = (double)((s >> 16) & 1023) / 1024.0 - 0.5;
  }
  double total = 0, trace = 0;
  for (int r = 0; r < reps; r++) {
    for (int i = 0; i < n * n; i++)
      c[i] = 0;
    for (int i = 0; i < n; i++)
      for (int k = 0; k < n; k++) {
        double aik = a[i * n + k];
        for (int j = 0; j < n; j++)
          c[i * n + j] += aik * b[k * n + j];
      }
    trace = 0;
    for (int i = 0; i < n; i++)
      trace += c[i * n + i];
    for (int i = 0; i < n * n; i++)
      total += c[i];
    a[r % (n * n)] += 0.25; /* keep the repetitions distinct */
  }
  printf("%.6f %.6f\n", trace, total);
  return 0;
}
