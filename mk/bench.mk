# Benchmarks: bench/run.sh builds the release pieces, starts a release simulator on
# loopback and writes bench/RESULTS.md. Not part of `make test` (no timing is ever a test).
#
#   make bench                 everything (BENCH_N=5000 calls per loop by default)
#   make bench BENCH_N=20000   longer loops

.PHONY: bench

bench:
	CARGO="$(CARGO)" bench/run.sh
