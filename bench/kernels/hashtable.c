/* hashtable: a generic open-addressing hash table (string keys, hash and equality passed as
 * function pointers, as generic C containers do) counting words: inserts, lookups, updates,
 * deletions with tombstones and growth. Usage: hashtable [OPS_MILLIONS]. Prints counts and a
 * checksum of the final table. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t (*hash_fn)(const char *key);
typedef int (*eq_fn)(const char *a, const char *b);

struct entry { char *key; uint32_t hash; int64_t value; };
struct table { struct entry *slots; size_t cap, used, live; hash_fn hash; eq_fn eq; };

static char TOMBSTONE[1];

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  while (*s)
    h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static void table_init(struct table *t, hash_fn hash, eq_fn eq) {
  t->cap = 16;
  t->used = t->live = 0;
  t->slots = calloc(t->cap, sizeof *t->slots);
  t->hash = hash;
  t->eq = eq;
}

static struct entry *find_slot(struct table *t, const char *key, uint32_t h, int for_insert) {
  size_t mask = t->cap - 1, i = h & mask;
  struct entry *grave = NULL;
  for (;;) {
    struct entry *e = &t->slots[i];
    if (e->key == NULL)
      return for_insert && grave ? grave : e;
    if (e->key == TOMBSTONE) {
      if (!grave)
        grave = e;
    } else if (e->hash == h && t->eq(e->key, key)) {
      return e;
    }
    i = (i + 1) & mask;
  }
}

static void grow(struct table *t) {
  struct entry *old = t->slots;
  size_t old_cap = t->cap;
  t->cap *= 2;
  t->slots = calloc(t->cap, sizeof *t->slots);
  t->used = t->live;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].key && old[i].key != TOMBSTONE) {
      size_t j = old[i].hash & (t->cap - 1);
      while (t->slots[j].key)
        j = (j + 1) & (t->cap - 1);
      t->slots[j] = old[i];
    }
  free(old);
}

static int64_t *table_upsert(struct table *t, const char *key) {
  if ((t->used + 1) * 4 > t->cap * 3)
    grow(t);
  uint32_t h = t->hash(key);
  struct entry *e = find_slot(t, key, h, 1);
  if (e->key == NULL || e->key == TOMBSTONE) {
    if (e->key == NULL)
      t->used++;
    t->live++;
    e->key = strdup(key);
    e->hash = h;
    e->value = 0;
  }
  return &e->value;
}

static int64_t *table_get(struct table *t, const char *key) {
  struct entry *e = find_slot(t, key, t->hash(key), 0);
  return e->key && e->key != TOMBSTONE ? &e->value : NULL;
}

static int table_remove(struct table *t, const char *key) {
  struct entry *e = find_slot(t, key, t->hash(key), 0);
  if (!e->key || e->key == TOMBSTONE)
    return 0;
  free(e->key);
  e->key = TOMBSTONE;
  t->live--;
  return 1;
}

int main(int argc, char **argv) {
  long ops = (long)(argc > 1 ? atoi(argv[1]) : 6) * 1000000;
  struct table t;
  table_init(&t, fnv1a, streq);
  uint64_t x = 88172645463325252ull;
  char key[32];
  long found = 0, removed = 0;
  for (long i = 0; i < ops; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    unsigned k = (unsigned)(x % 400000);
    snprintf(key, sizeof key, "w%u_%u", k, k % 97);
    unsigned op = (unsigned)(x >> 40) % 16;
    if (op < 10) {
      *table_upsert(&t, key) += (long)i & 255;
    } else if (op < 15) {
      int64_t *v = table_get(&t, key);
      if (v) {
        found++;
        *v ^= 1;
      }
    } else {
      removed += table_remove(&t, key);
    }
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < t.cap; i++)
    if (t.slots[i].key && t.slots[i].key != TOMBSTONE)
      sum += (uint64_t)t.slots[i].value * t.slots[i].hash;
  printf("live=%zu found=%ld removed=%ld sum=%llu\n", t.live, found, removed, (unsigned long long)sum);
  return 0;
}
