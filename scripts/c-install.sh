#!/usr/bin/env bash
# Install the C library: libsignbridge.a, libsignbridge.so (with SONAME symlinks), the header,
# signbridge.pc generated for PREFIX, the CMake package configuration (lib/cmake/signbridge:
# `find_package(signbridge CONFIG)`, targets signbridge::signbridge and
# signbridge::signbridge_static) and the valgrind suppressions (share/signbridge/signbridge.supp).
#
#   scripts/c-install.sh PREFIX            (make install-c PREFIX=...)
#
# PROFILE=dist (default) builds with `cargo build --profile dist` (release, no debug info, symbols
# stripped; the .a is stripped of debug info here); PROFILE=debug installs the debug build (used by
# the tests). FROM=DIR installs the libraries already built in DIR instead of building (make dist:
# the zig build for glibc 2.17). RELOCATABLE=1 writes a signbridge.pc that finds its prefix from
# its own location (${pcfiledir}), as the CMake files always do: for the dist tarball.
# DESTDIR is honoured for staged installs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
PREFIX=${1:?usage: $0 PREFIX}
PROFILE=${PROFILE:-dist}
DESTDIR=${DESTDIR:-}
FROM=${FROM:-}
RELOCATABLE=${RELOCATABLE:-}
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac

if [ -n "$FROM" ]; then
  dir=$FROM
else
  case "$PROFILE" in
    release) "$CARGO" build --release -p signbridge-ffi; dir=target/release ;;
    debug | dev) "$CARGO" build -p signbridge-ffi; dir=target/debug ;;
    *) "$CARGO" build --profile "$PROFILE" -p signbridge-ffi; dir="target/$PROFILE" ;;
  esac
fi

# The version of the committed header (checked against the crate version by the ffi-c tests).
ver() { sed -n "s/^#define SIGNBRIDGE_VERSION_$1 \([0-9]*\)$/\1/p" include/signbridge.h; }
MAJOR=$(ver MAJOR) MINOR=$(ver MINOR) PATCH=$(ver PATCH)
VERSION="$MAJOR.$MINOR.$PATCH"
if [ "$MAJOR" = 0 ]; then ABI="0.$MINOR"; else ABI="$MAJOR"; fi

LIBDIR="$PREFIX/lib"
INCLUDEDIR="$PREFIX/include"
PCDIR="$LIBDIR/pkgconfig"
CMAKEDIR="$LIBDIR/cmake/signbridge"
# The project's home page (Cargo.toml's workspace `repository`) for signbridge.pc.
URL=$(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -1)
install -d "$DESTDIR$LIBDIR" "$DESTDIR$INCLUDEDIR" "$DESTDIR$PCDIR" "$DESTDIR$CMAKEDIR"
install -m 644 "$dir/libsignbridge.a" "$DESTDIR$LIBDIR/libsignbridge.a"
install -m 755 "$dir/libsignbridge.so" "$DESTDIR$LIBDIR/libsignbridge.so.$VERSION"
if [ "$PROFILE" != debug ] && [ "$PROFILE" != dev ]; then
  # cargo strips the .so (profile `strip`); the archive carries the objects' (and the Rust
  # standard library's) debug sections: only those go, the symbol table stays (the linker needs it).
  strip --strip-debug "$DESTDIR$LIBDIR/libsignbridge.a"
  strip --strip-unneeded "$DESTDIR$LIBDIR/libsignbridge.so.$VERSION"
fi
ln -sf "libsignbridge.so.$VERSION" "$DESTDIR$LIBDIR/libsignbridge.so.$ABI"
ln -sf "libsignbridge.so.$ABI" "$DESTDIR$LIBDIR/libsignbridge.so"
install -m 644 include/signbridge.h "$DESTDIR$INCLUDEDIR/signbridge.h"
# For valgrind: `--suppressions=$PREFIX/share/signbridge/signbridge.supp` (see the file).
install -d "$DESTDIR$PREFIX/share/signbridge"
install -m 644 ffi-c/signbridge.supp "$DESTDIR$PREFIX/share/signbridge/signbridge.supp"
if [ -n "$RELOCATABLE" ]; then
  # shellcheck disable=SC2016 # ${pcfiledir} is pkg-config's, not the shell's
  PC_PREFIX='${pcfiledir}/../..' PC_LIBDIR='${prefix}/lib' PC_INCLUDEDIR='${prefix}/include'
else
  PC_PREFIX=$PREFIX PC_LIBDIR=$LIBDIR PC_INCLUDEDIR=$INCLUDEDIR
fi
sed -e "s|@PREFIX@|$PC_PREFIX|" -e "s|@LIBDIR@|$PC_LIBDIR|" -e "s|@INCLUDEDIR@|$PC_INCLUDEDIR|" \
    -e "s|@VERSION@|$VERSION|" -e "s|@URL@|$URL|" ffi-c/signbridge.pc.in > "$DESTDIR$PCDIR/signbridge.pc"
for f in signbridgeConfig signbridgeConfigVersion; do
  sed -e "s|@VERSION@|$VERSION|" -e "s|@ABI@|$ABI|" -e "s|@MAJOR@|$MAJOR|" -e "s|@MINOR@|$MINOR|" \
    "ffi-c/cmake/$f.cmake.in" > "$DESTDIR$CMAKEDIR/$f.cmake"
done
chmod 644 "$DESTDIR$PCDIR/signbridge.pc" "$DESTDIR$CMAKEDIR"/*.cmake
echo "installed signbridge $VERSION ($PROFILE) into $DESTDIR$PREFIX:"
echo "  $LIBDIR/libsignbridge.a, libsignbridge.so -> .so.$ABI -> .so.$VERSION"
echo "  $INCLUDEDIR/signbridge.h"
echo "  $PCDIR/signbridge.pc"
echo "  $CMAKEDIR/signbridgeConfig.cmake, signbridgeConfigVersion.cmake"
echo "  $PREFIX/share/signbridge/signbridge.supp (valgrind)"
