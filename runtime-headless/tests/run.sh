#!/bin/sh
# Builds and runs the runtime's C tests (no compiler needed): ./run.sh [cc]
set -e
cd "$(dirname "$0")/.."
CC=${1:-cc}
OUT=${TMPDIR:-/tmp}/w2e-runtime-tests
mkdir -p "$OUT"
FLAGS="-std=c11 -D_GNU_SOURCE -O2 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Iinclude -Isrc"
# The host's runtime: the portable folders and the POSIX platform (src/layout.rs).
ALL=$(ls src/core/*.c src/wasi/*.c src/entry/*.c src/platform/posix/*.c)
LIB=$(echo "$ALL" | grep -v '/main\.c$')
$CC $FLAGS -fno-reorder-blocks-and-partition $LIB tests/test_runtime.c -o "$OUT/test_runtime"
"$OUT/test_runtime"
$CC $FLAGS $ALL tests/test_main.c -o "$OUT/test_main"
$CC $FLAGS -DBAD_IMPORT $ALL tests/test_main.c -o "$OUT/test_main_bad_import"
$CC $FLAGS -DNO_START $ALL tests/test_main.c -o "$OUT/test_main_no_start"
sh tests/test_main.sh "$OUT/test_main" "$OUT/test_main_bad_import" "$OUT/test_main_no_start"
# WASI under random arguments: plain, then with AddressSanitizer and UBSan (when cc has them).
$CC $FLAGS $LIB tests/test_wasi_fuzz.c -o "$OUT/test_wasi_fuzz"
"$OUT/test_wasi_fuzz" 300000
if $CC -fsanitize=address,undefined -x c -o "$OUT/asan_probe" - <<'C' 2>/dev/null; then
int main(void) { return 0; }
C
  $CC $FLAGS -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined $LIB \
    tests/test_wasi_fuzz.c -o "$OUT/test_wasi_fuzz_asan"
  "$OUT/test_wasi_fuzz_asan" 300000
elif [ -z "$W2E_ALLOW_NO_SANITIZERS" ]; then
  echo "FAIL: $CC cannot build with -fsanitize=address,undefined (Debian: apt-get install gcc, libasan8, libubsan1); set W2E_ALLOW_NO_SANITIZERS=1 to skip on purpose" >&2
  exit 1
fi
# Capabilities: start-up errors and environment records.
$CC $FLAGS $LIB tests/test_config.c -o "$OUT/test_config"
sh tests/test_config.sh "$OUT/test_config"
# Behaviour against wasmtime (needs zig, the wasmtime Python package and a built wasm2exe;
# W2E_SKIP_COMPARE=1 skips it on purpose, anything missing otherwise fails).
if [ -z "$W2E_SKIP_COMPARE" ]; then
  if ! python3 -c "import wasmtime, ziglang" 2>/dev/null; then
    echo "FAIL: the comparison with wasmtime needs: pip install ziglang wasmtime" >&2
    exit 1
  fi
  if [ ! -x ../target/release/wasm2exe ]; then
    echo "FAIL: build wasm2exe first: cargo build --release -p wasm2exe" >&2
    exit 1
  fi
  python3 tests/wasi/compare.py
fi
