# The Python wheel (bindings-python/): build it with maturin, install it into a fresh venv, and
# run the stub check (mypy.stubtest against the compiled module), a mypy pass over the tests and
# the examples (the stubs are usable) and the pytest suite there, against the simulator (the path
# a user takes). The webhook examples' frameworks (Flask, FastAPI + uvicorn) go in the same venv.
#
#   make test-python    everything above
#   make python-wheel   only build/python/dist/signbridge-*.whl

TEST_TARGETS += test-python

PY_PYTHON ?= python3
PY_DIR := $(abspath $(BUILD)/python)
PY_TARGET_DIR := $(CURDIR)/target
PY_MATURIN := maturin==1.16.0
PY_TEST_DEPS := pytest==9.2.0 pytest-asyncio==1.5.0 mypy==2.4.1
# Signed-PDF interop (tests/test_pdf_verify.py): pyHanko signs with its own test CA for our client
# to verify, and validates what the simulator and `signbridge demo` sign (with poppler's pdfsig).
PY_TEST_DEPS += pyhanko==0.38.0 pyhanko-certvalidator==0.33.0
# The webhook examples (bindings-python/examples/) are served by their frameworks in the tests.
PY_EXAMPLE_DEPS := flask==3.1.3 fastapi==0.165.0 uvicorn==0.54.0

.PHONY: test-python python-wheel

# Build the wheel (debug profile: reuses the workspace's debug artifacts of the core).
python-wheel:
	rm -rf $(PY_DIR)
	$(PY_PYTHON) -m venv $(PY_DIR)/venv-build
	$(PY_DIR)/venv-build/bin/pip install -q $(PY_MATURIN)
	cd bindings-python && CARGO_TARGET_DIR=$(PY_TARGET_DIR) \
		$(PY_DIR)/venv-build/bin/maturin build --strip --quiet \
		--interpreter $(PY_DIR)/venv-build/bin/python --out $(PY_DIR)/dist

test-python: python-wheel
	CARGO_TARGET_DIR=$(PY_TARGET_DIR) $(CARGO) build -q -p signbridge-sim -p signbridge-cli
	$(PY_PYTHON) -m venv $(PY_DIR)/venv-test
	$(PY_DIR)/venv-test/bin/pip install -q $(PY_TEST_DEPS) $(PY_EXAMPLE_DEPS) \
		$(PY_DIR)/dist/signbridge-*.whl
	$(PY_PYTHON) bindings-python/stubgen_async.py --check
	cd $(PY_DIR) && venv-test/bin/python -m mypy.stubtest signbridge._native
	cd $(PY_DIR) && venv-test/bin/python -m mypy $(CURDIR)/bindings-python/tests \
		$(CURDIR)/bindings-python/examples
	cd $(PY_DIR) && PYTHONDONTWRITEBYTECODE=1 SIGNBRIDGE_SIM_BIN=$(PY_TARGET_DIR)/debug/signbridge-sim \
		SIGNBRIDGE_CLI_BIN=$(PY_TARGET_DIR)/debug/signbridge \
		venv-test/bin/python -m pytest -p no:cacheprovider -o asyncio_default_fixture_loop_scope=function -q $(CURDIR)/bindings-python/tests
