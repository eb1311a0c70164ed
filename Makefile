# signbridge: one Rust core, wrapped for C, Python and Node.
#
#   make demo   run the CLI demo against the embedded simulator (no credentials needed)
#   make test   everything: lint + every test suite (installs what it needs)

CARGO ?= cargo
BUILD := build

# Suites of the wrappers live in mk/*.mk; each adds its target to TEST_TARGETS.
TEST_TARGETS := test-rust
-include mk/*.mk

.PHONY: demo test deps lint test-rust install soak sim clean

demo:
	$(CARGO) run -q -p signbridge-cli -- demo --out $(BUILD)/demo

test: deps lint
	@$(MAKE) --no-print-directory $(TEST_TARGETS)
	@echo "make test: all suites passed"

deps:
	@scripts/install-deps.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test

# The full soak: 10 000 signing flows against the simulator with ~10 % of requests faulted,
# alternating ZignSec and OneSpan Sign (OneSpan: API key, Client App and OAuth2 in turn, tokens
# revoked and token endpoints down mid-run); a 120-flow run (60 per provider) is part of
# `make test`. SOAK_N, SOAK_SEED and SOAK_PROVIDERS (zignsec,onespan) override.
SOAK_N ?= 10000
soak:
	SOAK_N=$(SOAK_N) $(CARGO) test --release -p signbridge --test soak -- --nocapture

# Install the C library, header and pkg-config file (PREFIX=/usr/local by default).
install: install-c

sim:
	$(CARGO) run -q -p signbridge-cli -- sim

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
