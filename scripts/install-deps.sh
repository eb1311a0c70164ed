#!/usr/bin/env bash
# Installs what `make test` needs on a fresh Debian machine. Idempotent and quiet when all is there.
set -euo pipefail

need_apt=()
command -v qpdf >/dev/null 2>&1 || need_apt+=(qpdf)
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# Signed PDFs checked by tools we did not write (bindings-python/tests/test_pdf_verify.py): pdfsig
# validates signatures, pdftoppm renders the stamps.
command -v pdfsig >/dev/null 2>&1 || need_apt+=(poppler-utils)
# The shared webhook replay store's test (core/tests/replay_redis.rs) starts its own server.
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The install test (tests/install/run.sh) builds a C program with CMake, as a user does.
command -v cmake >/dev/null 2>&1 || need_apt+=(cmake)
# make dist strips the C library; the install test reads ELF headers (readelf, objdump, nm).
command -v readelf >/dev/null 2>&1 || need_apt+=(binutils)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
