#!/usr/bin/env bash
# The install test (`make test-install`, part of `make test`; issue 25): installs each package of
# `make dist` (build/dist/) the way a user does, on a PATH without cargo, rustc or rustup, and runs
# a signing flow with it against the simulator:
#   - Python: a fresh venv, `pip install --no-index` of the manylinux wheel, tests/install/flow.py
#   - Node: an empty npm project, `npm install` of the two tarballs (main + linux-x64-gnu), then
#     tests/install/flow.cjs (require) and flow.mjs (import)
#   - C: the tarball unpacked into a prefix; examples/c/sign.c built with pkg-config (shared) and
#     with CMake (find_package(signbridge CONFIG): signbridge::signbridge and
#     signbridge::signbridge_static); the exported symbols are only sb_*, the SONAME is versioned,
#     everything is stripped and needs at most GLIBC_2.17
#   - valgrind, the README's command verbatim (VALGRIND_CMD below), on tests/install/lifecycle.c
#     (create and free a client) linked against the packaged library
#   - the sdist: a self-contained cargo workspace that resolves offline with its Cargo.lock
# Prints the artifacts and their sizes. Only the simulator is built here (the debug one the other
# suites use, with cargo, before the PATH loses it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
DIST=$ROOT/build/dist
OUT=$ROOT/build/install-test
T0=$(date +%s)
step() { printf '\n== [%3ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
fail() { echo "install test FAILED: $*" >&2; exit 1; }

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
WHEEL=$(ls "$DIST"/signbridge-"$VERSION"-cp39-abi3-*manylinux_2_17_x86_64*.whl 2>/dev/null | head -1) || true
NPM_MAIN=$DIST/signbridge-$VERSION.tgz
NPM_PLATFORM=$DIST/signbridge-linux-x64-gnu-$VERSION.tgz
C_TARBALL=$DIST/signbridge-$VERSION-linux-x86_64-gnu.tar.gz
[ -n "$WHEEL" ] && [ -f "$NPM_MAIN" ] && [ -f "$NPM_PLATFORM" ] && [ -f "$C_TARBALL" ] ||
  fail "build/dist/ lacks a package: run 'make dist' first ($(ls "$DIST" 2>/dev/null | tr '\n' ' '))"

# The documented valgrind command (README.md and docs/install.md say exactly this), with the
# suppression file from the package ($PREFIX: where the C tarball is unpacked, below).
valgrind_cmd() { VALGRIND_CMD=(valgrind --leak-check=full --error-exitcode=1 --suppressions="$1/share/signbridge/signbridge.supp"); }

rm -rf "$OUT"
mkdir -p "$OUT/logs" "$OUT/tmp"
export TMPDIR=$OUT/tmp

step "cargo build -p signbridge-sim (the simulator the flows run against)"
"$CARGO" build -q -p signbridge-sim
SIM_BIN=$ROOT/target/debug/signbridge-sim
KEY=$(sed -n 's/^pub const DEFAULT_PRIMARY_KEY: &str = "\(.*\)";$/\1/p' simulator/src/lib.rs)
[ -n "$KEY" ] || fail "cannot read DEFAULT_PRIMARY_KEY from simulator/src/lib.rs"

# The sdist is what pip builds where no wheel fits: a self-contained cargo workspace (core and the
# binding, Cargo.lock) that cargo resolves offline (the versions of the lock, nothing fetched). (Building it is a
# whole release build: not here; `pip install build/dist/signbridge-*.tar.gz` does it.)
step "sdist: a self-contained workspace (cargo metadata --offline)"
mkdir -p "$OUT/sdist"
tar -xzf "$DIST/signbridge-$VERSION.tar.gz" -C "$OUT/sdist"
"$CARGO" metadata -q --offline --format-version 1 \
  --manifest-path "$OUT/sdist/signbridge-$VERSION/bindings-python/Cargo.toml" >/dev/null
grep -q '^build-backend = "maturin"' "$OUT/sdist/signbridge-$VERSION/pyproject.toml"
echo "signbridge-$VERSION.tar.gz: $(tar -tzf "$DIST/signbridge-$VERSION.tar.gz" | wc -l) files, resolves with its Cargo.lock"

# ---- from here on, no Rust toolchain: PATH without any directory holding cargo/rustc/rustup ----
clean_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
  [ -n "$d" ] || continue
  if [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ]; then continue; fi
  clean_path=${clean_path:+$clean_path:}$d
done
export PATH=$clean_path
unset CARGO CARGO_HOME CARGO_TARGET_DIR RUSTUP_HOME RUSTUP_TOOLCHAIN RUSTC RUSTFLAGS
for tool in cargo rustc rustup; do
  if command -v "$tool" >/dev/null 2>&1; then fail "$tool is still on PATH ($(command -v "$tool"))"; fi
done
echo "PATH without cargo, rustc, rustup: $PATH"

SIM_PID=""
cleanup() { [ -z "$SIM_PID" ] || { kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; }; }
trap cleanup EXIT
"$SIM_BIN" --port 0 --quiet >"$OUT/logs/sim.out" 2>"$OUT/logs/sim.err" &
SIM_PID=$!
SIM_URL=""
for _ in $(seq 400); do
  SIM_URL=$(sed -n 's/^signbridge-sim listening on //p' "$OUT/logs/sim.out" 2>/dev/null || true)
  [ -n "$SIM_URL" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || break
  sleep 0.05
done
[ -n "$SIM_URL" ] || { cat "$OUT/logs/sim.err" >&2; fail "the simulator did not start"; }
export SIGNBRIDGE_ZIGNSEC_URL=$SIM_URL SIGNBRIDGE_ZIGNSEC_KEY=$KEY
PDF=$ROOT/cli/assets/sample-contract.pdf

# ---- Python ----
step "Python: fresh venv, pip install --no-index $(basename "$WHEEL")"
python3 -m venv "$OUT/venv"
"$OUT/venv/bin/pip" install -q --no-index --disable-pip-version-check "$WHEEL"
mkdir -p "$OUT/py"
(cd "$OUT/py" && PYTHONDONTWRITEBYTECODE=1 "$OUT/venv/bin/python" "$ROOT/tests/install/flow.py" "$PDF" signed)

# ---- Node ----
step "Node: empty project, npm install of the two tarballs; require and import"
mkdir -p "$OUT/npm-project"
(
  cd "$OUT/npm-project"
  printf '{"name": "install-test", "version": "1.0.0", "private": true}\n' >package.json
  npm install --no-audit --no-fund --loglevel=error "$NPM_PLATFORM" "$NPM_MAIN"
  ls node_modules/signbridge/*.node >/dev/null 2>&1 && fail "the main npm package carries a .node"
  ls node_modules/signbridge-linux-x64-gnu/signbridge.linux-x64-gnu.node >/dev/null
  # The types ship whole: every file index.d.ts imports is in the package.
  for t in $(sed -n "s/^import type .* from '\.\/\(.*\)'$/\1/p" node_modules/signbridge/index.d.ts); do
    [ -f "node_modules/signbridge/$t.d.ts" ] || fail "the npm package lacks $t.d.ts, which index.d.ts imports"
  done
  cp "$ROOT/tests/install/flow.cjs" "$ROOT/tests/install/flow.mjs" .
  node flow.cjs "$PDF"
  node flow.mjs "$PDF"
)

# ---- C ----
step "C: unpack $(basename "$C_TARBALL"); check the library"
PREFIX=$OUT/c-prefix
mkdir -p "$PREFIX"
tar -xzf "$C_TARBALL" -C "$PREFIX" --strip-components=1
SO=$PREFIX/lib/libsignbridge.so.$VERSION
for f in "$SO" "$PREFIX/lib/libsignbridge.a" "$PREFIX/include/signbridge.h" \
  "$PREFIX/lib/pkgconfig/signbridge.pc" "$PREFIX/lib/cmake/signbridge/signbridgeConfig.cmake" \
  "$PREFIX/lib/cmake/signbridge/signbridgeConfigVersion.cmake" "$PREFIX/share/signbridge/signbridge.supp"; do
  [ -e "$f" ] || fail "the C tarball lacks ${f#"$PREFIX"/}"
done
soname=$(readelf -d "$SO" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libsignbridge.so.${VERSION%.*}" ] || fail "SONAME is '$soname'"
others=$(nm -D --defined-only "$SO" | awk '{print $NF}' | grep -v '^sb_' || true)
[ -z "$others" ] || fail "libsignbridge.so exports more than sb_*: $(echo "$others" | head -5 | tr '\n' ' ')"
echo "exports: $(nm -D --defined-only "$SO" | grep -c ' sb_') sb_* functions, nothing else; SONAME $soname"
for f in "$SO" "$OUT/npm-project/node_modules/signbridge-linux-x64-gnu/signbridge.linux-x64-gnu.node"; do
  if readelf -S "$f" | grep -q -E ' \.(symtab|debug_)'; then fail "$(basename "$f") is not stripped"; fi
  newest=$(objdump -T "$f" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
  [ "$(printf '%s\n' "$newest" GLIBC_2.17 | sort -V | tail -1)" = GLIBC_2.17 ] ||
    fail "$(basename "$f") needs $newest (more than glibc 2.17)"
  echo "$(basename "$f"): stripped, needs at most $newest"
done
if objdump -h "$PREFIX/lib/libsignbridge.a" 2>/dev/null | grep -q ' \.debug_'; then
  fail "libsignbridge.a carries debug sections"
fi
grep -q '^URL: https://' "$PREFIX/lib/pkgconfig/signbridge.pc" || fail "signbridge.pc has no URL"
grep -q 'example.invalid' "$PREFIX/lib/pkgconfig/signbridge.pc" && fail "signbridge.pc points to example.invalid"

# Runs a built examples/c/sign.c: waits for its session, signs it through the simulator's control
# API (what the signer does on the hosted page), checks the signed PDF.
run_sign() { # $1 name, $2 binary
  local log=$OUT/logs/$1.log dir=$OUT/signed-$1 id="" pid
  "$2" "$PDF" "$dir" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 400); do
    id=$(sed -n 's/^session: //p' "$log" 2>/dev/null || true)
    [ -n "$id" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$id" ] || { kill "$pid" 2>/dev/null || true; cat "$log" >&2; fail "$1 printed no session"; }
  python3 - "$SIM_URL/_sim/zignsec/signing/$id/complete" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=b"{}", method="POST",
                             headers={"Content-Type": "application/json"})
assert urllib.request.urlopen(req, timeout=30).status == 200
PY
  wait "$pid" || { cat "$log" >&2; fail "$1 exited with an error"; }
  head -c 5 "$dir/sample-contract.pdf" | grep -q '%PDF-' || { cat "$log" >&2; fail "$1 wrote no signed PDF"; }
  echo "$1: $(grep -m1 ' by ' "$log"), $(grep -c '^signed: ' "$log") signed file(s)"
}

step "C: examples/c/sign.c built with pkg-config (shared library)"
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
[ "$(pkg-config --modversion signbridge)" = "$VERSION" ] || fail "pkg-config --modversion signbridge"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror examples/c/sign.c $(pkg-config --cflags --libs signbridge) \
  -Wl,-rpath,"$PREFIX/lib" -o "$OUT/sign-pkgconfig"
ldd "$OUT/sign-pkgconfig" | grep -q "libsignbridge.so.${VERSION%.*} => $PREFIX/lib/" ||
  fail "sign-pkgconfig is not linked against the packaged .so"
run_sign sign-pkgconfig "$OUT/sign-pkgconfig"

step "C: examples/c/sign.c built with CMake, find_package(signbridge CONFIG) (shared and static)"
cmake -S tests/install -B "$OUT/cmake-build" -DCMAKE_PREFIX_PATH="$PREFIX" \
  -DSIGNBRIDGE_EXAMPLE="$ROOT/examples/c/sign.c" >"$OUT/logs/cmake.log" 2>&1 ||
  { cat "$OUT/logs/cmake.log" >&2; fail "cmake configure"; }
cmake --build "$OUT/cmake-build" >>"$OUT/logs/cmake.log" 2>&1 ||
  { cat "$OUT/logs/cmake.log" >&2; fail "cmake --build"; }
ldd "$OUT/cmake-build/sign_cmake" | grep -q "libsignbridge.so.${VERSION%.*} => $PREFIX/lib/" ||
  fail "sign_cmake is not linked against the packaged .so"
if ldd "$OUT/cmake-build/sign_cmake_static" | grep -q libsignbridge; then fail "sign_cmake_static loads the .so"; fi
run_sign sign-cmake "$OUT/cmake-build/sign_cmake"
run_sign sign-cmake-static "$OUT/cmake-build/sign_cmake_static"

valgrind_cmd "$PREFIX"
step "valgrind, as documented: ${VALGRIND_CMD[*]} ./lifecycle"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -g tests/install/lifecycle.c $(pkg-config --cflags --libs signbridge) \
  -Wl,-rpath,"$PREFIX/lib" -o "$OUT/lifecycle"
if ! "${VALGRIND_CMD[@]}" "$OUT/lifecycle" >"$OUT/logs/valgrind.log" 2>&1; then
  cat "$OUT/logs/valgrind.log" >&2
  fail "valgrind reports errors (log $OUT/logs/valgrind.log)"
fi
grep -E 'lifecycle:|ERROR SUMMARY|definitely lost|possibly lost|still reachable' "$OUT/logs/valgrind.log" | sed 's/^==[0-9]*== //'

step "artifacts (build/dist/)"
(cd "$DIST" && for f in *.whl *.tar.gz *.tgz; do printf '  %-60s %8s KiB\n' "$f" "$(($(stat -c %s "$f") / 1024))"; done)
printf '  %-60s %8s KiB\n' "(unpacked) libsignbridge.so.$VERSION" "$(($(stat -c %s "$SO") / 1024))" \
  "(unpacked) libsignbridge.a" "$(($(stat -c %s "$PREFIX/lib/libsignbridge.a") / 1024))" \
  "(unpacked) signbridge.linux-x64-gnu.node" \
  "$(($(stat -c %s "$OUT/npm-project/node_modules/signbridge-linux-x64-gnu/signbridge.linux-x64-gnu.node") / 1024))"
echo "install test: Python, Node (require, import), C (pkg-config, CMake shared and static) and valgrind passed ($(($(date +%s) - T0))s)"
