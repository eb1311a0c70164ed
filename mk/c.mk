# The C library: libsignbridge.{a,so}, include/signbridge.h, signbridge.pc. See the C section of README.md.
#
#   make test-c                     build, check the header, run the C tests (plain, valgrind, ASan),
#                                   the example and an install into a temporary prefix
#   make header-c                   regenerate ffi-c/src/codes.rs and include/signbridge.h
#   make install-c PREFIX=/usr/local  install libs, header and pkg-config file (release build)

TEST_TARGETS += test-c
PREFIX ?= /usr/local

.PHONY: test-c header-c install-c

test-c:
	CARGO="$(CARGO)" scripts/c-test.sh

header-c:
	CARGO="$(CARGO)" scripts/c-header.sh

install-c:
	CARGO="$(CARGO)" scripts/c-install.sh "$(PREFIX)"
