# The Python wheel (bindings-python/): build it with maturin, install it into a fresh venv, and
# run the stub checks (_native.pyi is what scripts/python-stubgen.py writes; mypy.stubtest
# against the compiled module), a mypy pass over the tests and the examples (the stubs are usable)
# and the pytest suite there, against the simulator (the path a user takes). The webhook examples'
# frameworks (Flask, FastAPI + uvicorn) go in the same venv.
#
#   make test-python                 everything above, with the wheel users get: the manylinux
#                                    wheel of `make dist` (build/dist/, release), built first
#   make test-python PY_WHEEL=debug  the same with a debug wheel (build/python/dist/; quicker to
#                                    rebuild while working on the bindings)
#   make python-wheel                only the debug build/python/dist/signbridge-*.whl
#
# `make test` tests the dist wheel: its release build is made anyway (make dist, the install test),
# and a debug wheel on top would cost the budget of `make test` a second build of the core.

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

PY_WHEEL ?= dist
ifeq ($(PY_WHEEL),debug)
PY_WHEEL_DEP := python-wheel
PY_WHEEL_FILE = $(PY_DIR)/dist/signbridge-*.whl
else
PY_WHEEL_DEP := dist
PY_WHEEL_FILE = $(CURDIR)/$(BUILD)/dist/signbridge-*-manylinux*_x86_64.whl
endif

.PHONY: test-python python-wheel

# Build the wheel (debug profile: reuses the workspace's debug artifacts of the core).
python-wheel:
	rm -rf $(PY_DIR)
	$(PY_PYTHON) -m venv $(PY_DIR)/venv-build
	$(PY_DIR)/venv-build/bin/pip install -q $(PY_MATURIN)
	cd bindings-python && CARGO_TARGET_DIR=$(PY_TARGET_DIR) \
		$(PY_DIR)/venv-build/bin/maturin build --strip --quiet \
		--interpreter $(PY_DIR)/venv-build/bin/python --out $(PY_DIR)/dist

test-python: $(PY_WHEEL_DEP)
	CARGO_TARGET_DIR=$(PY_TARGET_DIR) $(CARGO) build -q -p signbridge-sim -p signbridge-cli
	rm -rf $(PY_DIR)/venv-test
	$(PY_PYTHON) -m venv $(PY_DIR)/venv-test
	$(PY_DIR)/venv-test/bin/pip install -q $(PY_TEST_DEPS) $(PY_EXAMPLE_DEPS) \
		$(PY_WHEEL_FILE)
	$(PY_PYTHON) scripts/python-stubgen.py --check
	cd $(PY_DIR) && venv-test/bin/python -m mypy.stubtest signbridge._native
	cd $(PY_DIR) && venv-test/bin/python -m mypy $(CURDIR)/bindings-python/tests \
		$(CURDIR)/bindings-python/examples
	cd $(PY_DIR) && PYTHONDONTWRITEBYTECODE=1 SIGNBRIDGE_SIM_BIN=$(PY_TARGET_DIR)/debug/signbridge-sim \
		SIGNBRIDGE_CLI_BIN=$(PY_TARGET_DIR)/debug/signbridge \
		venv-test/bin/python -m pytest -p no:cacheprovider -o asyncio_default_fixture_loop_scope=function -q $(CURDIR)/bindings-python/tests
