# Packages a user installs without Rust (issue 25). See docs/install.md.
#
#   make dist           build/dist/: the manylinux2014 abi3 wheel + sdist, the npm main and
#                       linux-x64-gnu tarballs, the C tarball (one zig build, profile `dist`)
#   make test-install   part of make test: make dist, then install each package as a user does on a
#                       PATH without cargo/rustc and sign a PDF with it against the simulator (Python,
#                       Node require/import, C via pkg-config and CMake), and the README's valgrind
#                       command on a client created and freed; prints the sizes

TEST_TARGETS += test-install

.PHONY: dist test-install

dist:
	CARGO="$(CARGO)" scripts/dist.sh

test-install: dist
	CARGO="$(CARGO)" tests/install/run.sh
