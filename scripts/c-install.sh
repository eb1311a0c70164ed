#!/usr/bin/env bash
# Install the C library: libsignbridge.a, libsignbridge.so (with SONAME symlinks), the header and
# signbridge.pc generated for PREFIX.
#
#   scripts/c-install.sh PREFIX            (make install-c PREFIX=...)
#
# PROFILE=release (default) builds with `cargo build --release`; PROFILE=debug installs the debug
# build (used by the tests). DESTDIR is honoured for staged installs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
PREFIX=${1:?usage: $0 PREFIX}
PROFILE=${PROFILE:-release}
DESTDIR=${DESTDIR:-}
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac

case "$PROFILE" in
  release) "$CARGO" build --release -p signbridge-ffi; dir=target/release ;;
  debug | dev) "$CARGO" build -p signbridge-ffi; dir=target/debug ;;
  *) "$CARGO" build --profile "$PROFILE" -p signbridge-ffi; dir="target/$PROFILE" ;;
esac

# The version of the committed header (checked against the crate version by the ffi-c tests).
ver() { sed -n "s/^#define SIGNBRIDGE_VERSION_$1 \([0-9]*\)$/\1/p" include/signbridge.h; }
MAJOR=$(ver MAJOR) MINOR=$(ver MINOR) PATCH=$(ver PATCH)
VERSION="$MAJOR.$MINOR.$PATCH"
if [ "$MAJOR" = 0 ]; then ABI="0.$MINOR"; else ABI="$MAJOR"; fi

LIBDIR="$PREFIX/lib"
INCLUDEDIR="$PREFIX/include"
PCDIR="$LIBDIR/pkgconfig"
install -d "$DESTDIR$LIBDIR" "$DESTDIR$INCLUDEDIR" "$DESTDIR$PCDIR"
install -m 644 "$dir/libsignbridge.a" "$DESTDIR$LIBDIR/libsignbridge.a"
install -m 755 "$dir/libsignbridge.so" "$DESTDIR$LIBDIR/libsignbridge.so.$VERSION"
ln -sf "libsignbridge.so.$VERSION" "$DESTDIR$LIBDIR/libsignbridge.so.$ABI"
ln -sf "libsignbridge.so.$ABI" "$DESTDIR$LIBDIR/libsignbridge.so"
install -m 644 include/signbridge.h "$DESTDIR$INCLUDEDIR/signbridge.h"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@LIBDIR@|$LIBDIR|" -e "s|@INCLUDEDIR@|$INCLUDEDIR|" \
    -e "s|@VERSION@|$VERSION|" ffi-c/signbridge.pc.in > "$DESTDIR$PCDIR/signbridge.pc"
chmod 644 "$DESTDIR$PCDIR/signbridge.pc"
echo "installed signbridge $VERSION ($PROFILE) into $DESTDIR$PREFIX:"
echo "  $LIBDIR/libsignbridge.a, libsignbridge.so -> .so.$ABI -> .so.$VERSION"
echo "  $INCLUDEDIR/signbridge.h"
echo "  $PCDIR/signbridge.pc"
