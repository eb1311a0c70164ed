#!/usr/bin/env bash
# Regenerate (default) or check (--check) the C library's generated files:
#   ffi-c/src/codes.rs     rendered from the core's ErrorCode::ALL by a test of ffi-c
#   include/signbridge.h   rendered by cbindgen (pinned version, installed into build/tools)
# --check regenerates into temporary files and fails when a committed file differs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
CBINDGEN_VERSION=0.29.4
TOOLS="$ROOT/build/tools"
CBINDGEN="$TOOLS/bin/cbindgen"
mode=${1:-write}

if ! "$CBINDGEN" --version 2>/dev/null | grep -qx "cbindgen $CBINDGEN_VERSION"; then
  echo "installing cbindgen $CBINDGEN_VERSION into $TOOLS"
  "$CARGO" install cbindgen --version "$CBINDGEN_VERSION" --locked --force --quiet --root "$TOOLS"
fi

generate_header() {
  "$CBINDGEN" --quiet --config ffi-c/cbindgen.toml --crate signbridge-ffi --output "$1" ffi-c
}

case "$mode" in
  write)
    SIGNBRIDGE_BLESS=1 "$CARGO" test -q -p signbridge-ffi --lib generated >/dev/null
    generate_header include/signbridge.h
    echo "regenerated ffi-c/src/codes.rs and include/signbridge.h"
    ;;
  --check)
    # codes.rs: the test fails (with the command to fix it) when the committed file is stale.
    "$CARGO" test -q -p signbridge-ffi --lib generated >/dev/null
    tmp=$(mktemp)
    trap 'rm -f "$tmp"' EXIT
    generate_header "$tmp"
    if ! diff -u include/signbridge.h "$tmp"; then
      echo "include/signbridge.h is stale: run 'make header-c' and commit the result" >&2
      exit 1
    fi
    echo "include/signbridge.h is up to date (cbindgen $CBINDGEN_VERSION)"
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
