# Fuzzing: every parser of untrusted input has a target in core/src/fuzzing.rs. The stable
# harness (core/tests/fuzz_smoke.rs, same debug build as the tests) replays fuzz/corpus and
# fuzz/regressions in every `cargo test`, and mutates them here. A failing input is written to
# fuzz/artifacts/<target>/ and the run fails with its path, its seed and the replay command.
# See SECURITY.md, "Fuzzing".
#
#   make fuzz-smoke                        part of make test: a fixed number of inputs per target
#                                          from a fixed seed, the same verdict on every run
#   make fuzz                              exploration: 60 s per target from a new seed (printed);
#                                          FUZZ_SECONDS=600 for longer; exits non-zero on a finding
#   make fuzz FUZZ_TARGET=webhook          one target
#   make fuzz FUZZ_SEED=123 FUZZ_RUNS=5000 walk a finding's inputs again (seed and count printed)
#   make fuzz-libfuzzer FUZZ_TARGET=webhook  coverage-guided, with nightly and cargo-fuzz

TEST_TARGETS += fuzz-smoke
FUZZ_SMOKE_SEED ?= 20261206
FUZZ_SMOKE_RUNS ?= 20000
FUZZ_SECONDS ?= 60
FUZZ_SEED ?=
FUZZ_RUNS ?=
FUZZ_TARGET ?=
FUZZ_HARNESS = $(CARGO) test -q -p signbridge --test fuzz_smoke -- --ignored --nocapture $(if $(FUZZ_TARGET),--exact $(FUZZ_TARGET))

.PHONY: fuzz-smoke fuzz fuzz-libfuzzer

fuzz-smoke:
	FUZZ_SEED=$(FUZZ_SMOKE_SEED) FUZZ_RUNS=$(FUZZ_SMOKE_RUNS) $(FUZZ_HARNESS)

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) FUZZ_RUNS=$(FUZZ_RUNS) $(FUZZ_HARNESS)

# New inputs go to fuzz/work/<target> (ignored by git), crashes to fuzz/artifacts/<target>.
fuzz-libfuzzer:
	@test -n "$(FUZZ_TARGET)" || { echo "give FUZZ_TARGET=<one of fuzz/fuzz_targets/*.rs>"; exit 1; }
	mkdir -p fuzz/work/$(FUZZ_TARGET)
	cd fuzz && cargo +nightly fuzz run $(FUZZ_TARGET) work/$(FUZZ_TARGET) corpus/$(FUZZ_TARGET) \
		-- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10
