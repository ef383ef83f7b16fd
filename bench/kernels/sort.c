/* sort: our own sorts (no libc qsort, whose algorithm differs between C libraries):
 * an introsort-style quicksort of 32-bit keys and a merge sort of (key, payload) records,
 * repeated on fresh pseudo-random data. Usage: sort [MILLIONS] [ROUNDS]. Prints checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void insertion(uint32_t *a, long n) {
  for (long i = 1; i < n; i++) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quicksort(uint32_t *a, long n) {
  while (n > 24) {
    uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
      i++; j--;
    }
    if (j + 1 < n - j - 1) {
      quicksort(a, j + 1);
      a += j + 1; n -= j + 1;
    } else {
      quicksort(a + j + 1, n - j - 1);
      n = j + 1;
    }
  }
  insertion(a, n);
}

struct rec { uint64_t key; uint32_t payload; };

static void merge_sort(struct rec *a, struct rec *tmp, long n) {
  for (long width = 1; width < n; width *= 2) {
    for (long lo = 0; lo < n; lo += 2 * width) {
      long mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      long i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = a[j].key < a[i].key ? a[j++] : a[i++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    memcpy(a, tmp, n * sizeof *a);
  }
}

int main(int argc, char **argv) {
  long n = (long)(argc > 1 ? atoi(argv[1]) : 2) * 1000000;
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  uint32_t *a = malloc(n * sizeof *a);
  struct rec *r = malloc(n * sizeof *r), *tmp = malloc(n * sizeof *tmp);
  uint64_t x = 0x2545f4914f6cdd1dull, check = 0;
  for (int round = 0; round < rounds; round++) {
    for (long i = 0; i < n; i++) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      a[i] = (uint32_t)x;
      r[i].key = x >> 44; /* many equal keys: the merge sort must be stable */
      r[i].payload = (uint32_t)i;
    }
    quicksort(a, n);
    merge_sort(r, tmp, n);
    for (long i = 1; i < n; i++)
      if (a[i - 1] > a[i] || r[i - 1].key > r[i].key ||
          (r[i - 1].key == r[i].key && r[i - 1].payload > r[i].payload)) {
        printf("not sorted at %ld\n", i);
        return 1;
      }
    for (long i = 0; i < n; i += 1 + (long)(a[i] & 1023))
      check = check * 31 + a[i] + r[i].payload;
  }
  printf("%llu\n", (unsigned long long)check);
  return 0;
}
