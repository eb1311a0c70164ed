#!/usr/bin/env bash
# `make bench`: build the release pieces, start one release simulator on loopback
# (quiet, no faults), run every benchmark side by side, and write bench/RESULTS.md.
#
# Each benchmark prints JSON lines ({"bench", "lang", "impl", "median_us", "p90_us", ...});
# they are collected in build/bench/results.jsonl and turned into RESULTS.md by bench/report.py.
# Nothing here is a test: no timing threshold fails the run, only a broken benchmark does.
#
# Knobs: BENCH_N (calls per loop, 5000), BENCH_FLOWS (300), BENCH_WAITS (10000),
# BENCH_LARGE_MB (50), BENCH_LARGE_REPS (3), BENCH_STARTUP_REPS (10); the realistic-network suite
# (bench/net.py): NET_THREADS (32), NET_CALLS (20), NET_THINK_MS (50), NET_RAMP_MS (3000),
# NET_TPR (200), NET_COLD_REPS (5), NET_ONE_WAY_MS (10), NET_SCENARIOS; BENCH_SKIP_NET=1 skips it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
PYTHON=${PYTHON:-python3}
OUT=$ROOT/build/bench
T0=$(date +%s)
export BENCH_N=${BENCH_N:-5000} BENCH_FLOWS=${BENCH_FLOWS:-300} BENCH_WAITS=${BENCH_WAITS:-10000}
export BENCH_LARGE_REPS=${BENCH_LARGE_REPS:-3} BENCH_ROOT=$ROOT
LARGE_MB=${BENCH_LARGE_MB:-50}

step() { printf '\n== [%4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }

mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
LOAD_LOG=$OUT/load.log
: >"$LOAD_LOG"

# ---- tools a fresh Debian machine may lack ----
need_apt=()
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || need_apt+=(libcurl4-openssl-dev)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq || true
  # wrk is optional (the raw Rust client measures the simulator's headroom as well).
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null ||
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libcurl4-openssl-dev curl >/dev/null
fi

# ---- release builds ----
# Built one by one, as scripts/c-test.sh does: together, cargo would unify features differently.
step "cargo build --release -p signbridge-sim; -p signbridge-ffi"
"$CARGO" build -q --release -p signbridge-sim
"$CARGO" build -q --release -p signbridge-ffi

step "bench/rust (standalone package, target/ shared)"
# Its own lock file, seeded from the workspace's so that the same versions (and artifacts) are used.
cp Cargo.lock bench/rust/Cargo.lock
(cd bench/rust && CARGO_TARGET_DIR="$ROOT/target" "$CARGO" build -q --release)
RUST_BENCH=$ROOT/target/release/signbridge-bench

step "C bench against target/release/libsignbridge.a and libcurl"
gcc -O2 -std=c99 -Wall -Wextra -Iinclude bench/c/bench.c target/release/libsignbridge.a \
  -lcurl -lpthread -ldl -lm -o "$OUT/bench-c"
gcc -O2 -std=c99 -Wall -Wextra -Iinclude bench/c/net.c target/release/libsignbridge.a \
  -lcurl -lpthread -ldl -lm -o "$OUT/bench-net"

step "Python: venv with the release wheel, requests and httpx"
VENV=$OUT/venv
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check maturin==1.16.0 requests==2.34.2 httpx==0.28.1
rm -rf "$OUT/wheel"
(cd bindings-python && CARGO_TARGET_DIR="$ROOT/target" "$VENV/bin/maturin" build --release --strip \
  --quiet --interpreter "$VENV/bin/python" --out "$OUT/wheel")
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$OUT"/wheel/signbridge-*.whl
PY=$VENV/bin/python

step "Node: the release addon into build/bench/node (the committed debug addon and typings untouched)"
[ -x bindings-node/node_modules/.bin/napi ] ||
  (cd bindings-node && npm install --no-audit --no-fund --loglevel=error)
rm -rf "$OUT/node" && mkdir -p "$OUT/node"
(cd bindings-node && npx --no-install napi build --platform --release --js binding.js --dts index.d.ts \
  --no-const-enum --output-dir "$OUT/node" >/dev/null)
# The JavaScript the package ships beside the addon (index.js and the generated facades), as
# package.json's "files" lists it.
(cd bindings-node && cp package.json $(node -p "require('./package.json').files.filter((f) => /^[\\w-]+\\.js\$/.test(f) && f !== 'binding.js').join(' ')") "$OUT/node/")
export SIGNBRIDGE_NODE=$OUT/node
# undici from npm for the realistic-network suite's fetch peer (its Agent takes the client
# certificate), into build/bench/npm: not into bindings-node's lock.
UNDICI_VERSION=7.30.3
if [ "$(node -p "try { require('$OUT/npm/node_modules/undici/package.json').version } catch { '' }")" != "$UNDICI_VERSION" ]; then
  mkdir -p "$OUT/npm"
  npm install --prefix "$OUT/npm" --no-audit --no-fund --loglevel=error "undici@$UNDICI_VERSION" >/dev/null
fi

BUILD_SECS=$(($(date +%s) - T0))

# ---- the simulator ----
SIM_PIDS=()
cleanup() {
  for pid in "${SIM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SIM_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SIM_PIDS=()
}
trap cleanup EXIT
start_sim() { # $1 name, rest: extra arguments; sets STARTED_URL
  local name=$1 url=""
  shift
  target/release/signbridge-sim --port 0 --quiet "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  SIM_PIDS+=($!)
  for _ in $(seq 200); do
    url=$(sed -n 's/^signbridge-sim listening on //p' "$OUT/$name.out" 2>/dev/null || true)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "the simulator $name did not start" >&2; cat "$OUT/$name.err" >&2; exit 1; }
  STARTED_URL=$url
}
step "starting target/release/signbridge-sim --port 0 --quiet"
start_sim sim
SIM_URL=$STARTED_URL
# A second one with short-lived OAuth2 tokens, for the token benchmark only.
TOKEN_LIFETIME=${BENCH_TOKEN_LIFETIME_S:-5}
start_sim sim-tokens --token-lifetime "$TOKEN_LIFETIME"
TOKEN_SIM_URL=$STARTED_URL
SIM_KEY=$(sed -n 's/^pub const DEFAULT_PRIMARY_KEY: &str = "\(.*\)";$/\1/p' simulator/src/lib.rs)
[ -n "$SIM_KEY" ] || { echo "cannot read DEFAULT_PRIMARY_KEY from simulator/src/lib.rs" >&2; exit 1; }
export SIM_URL SIM_KEY
curl -sf -X DELETE "$SIM_URL/_sim/faults" >/dev/null

# Other heavy processes (builds, tests) running beside the benchmark, recorded per stage.
note_load() {
  local others
  others=$(ps -eo pid=,comm= | awk -v me=$$ '$2 ~ /^(rustc|cc1|cc1plus|cargo|ld|node|python3?|pytest)$/ {n++} END {print n+0}')
  printf '%s\t%s\t%s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" "$others" >>"$LOAD_LOG"
}

# run NAME CMD...: the command's JSON lines go to results.jsonl (other stdout is dropped).
run() {
  local name=$1
  shift
  note_load "$name"
  step "$name"
  "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || { echo "$name failed:" >&2; cat "$OUT/$name.err" >&2; exit 1; }
  grep '^{' "$OUT/$name.out" | tee -a "$RESULTS" | cut -c1-200 >&2
}

PDF=cli/assets/sample-contract.pdf
LARGE=$OUT/large-${LARGE_MB}mb.pdf
"$PY" - "$PDF" "$LARGE" "$LARGE_MB" <<'PY'
import sys
src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
head = open(src, "rb").read()
line = b"%" + b"0123456789abcdef" * 4 + b"\n"  # PDF comment lines: a valid (if odd) PDF
with open(dst, "wb") as f:
    f.write(head)
    target = mb * 1_000_000 - len(head) - 7
    f.write(line * (target // len(line)))
    f.write(b"%" * (target % len(line)))
    f.write(b"\n%%EOF\n")
PY

# ---- 0. the simulator's own headroom ----
run headroom-rust "$RUST_BENCH" headroom
if command -v wrk >/dev/null 2>&1; then
  note_load headroom-wrk
  step "headroom-wrk"
  SID=$(curl -sf -X POST -H "Zs-Product-Key: $SIM_KEY" -H 'content-type: application/json' -d '{}' \
    "$SIM_URL/api/v5/sessions/signing/" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for c in 1 64; do
    t=$((c < 2 ? 1 : 2))
    wrk -t$t -c$c -d${BENCH_HEADROOM_SECS:-5}s -H "Zs-Product-Key: $SIM_KEY" "$SIM_URL/api/v5/sessions/signing/$SID" >"$OUT/wrk-$c.out"
    "$PY" - "$OUT/wrk-$c.out" "$c" "$t" <<'PY' | tee -a "$RESULTS" >&2
import json, re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"Latency\s+([\d.]+)(us|ms|s)", text)
lat = float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
print(json.dumps({"bench": "headroom", "lang": "wrk", "impl": f"wrk -t{sys.argv[3]} -c{sys.argv[2]}",
                  "ops_per_s": rps, "mean_us": lat, "connections": int(sys.argv[2])}))
PY
  done
fi

# ---- 1-4. per-call overhead ----
run overhead-rust "$RUST_BENCH" overhead
run overhead-c "$OUT/bench-c" overhead
run overhead-python "$PY" bench/python/bench.py overhead
run asyncio-python "$PY" bench/python/asyncio_bench.py seq
run asyncio-waits-python "$PY" bench/python/asyncio_bench.py waits
run overhead-node node bench/node/bench.js overhead
run waits-node node --expose-gc bench/node/bench.js waits "$PDF"

# ---- 5. tokens: 64 concurrent callers across a token refresh ----
run tokens-rust env SIM_URL="$TOKEN_SIM_URL" BENCH_TOKEN_LIFETIME_S="$TOKEN_LIFETIME" "$RUST_BENCH" tokens

# ---- 6. large documents ----
run large-rust "$RUST_BENCH" large "$LARGE"
run large-python "$PY" bench/python/bench.py large "$LARGE"

# ---- 7. start-up ----
run startup "$PY" bench/startup.py "$PY" node

# ---- 8. full flows ----
run flow-rust "$RUST_BENCH" flow
run flow-c "$OUT/bench-c" flow "$PDF"
run flow-python "$PY" bench/python/bench.py flow "$PDF"
run flow-node node bench/node/bench.js flow "$PDF"

# ---- 9. the realistic-network suite: the simulator's mutual-TLS listener behind a 20 ms delay
# proxy (its own two simulators: HTTP/2 offered, and --no-http2), every surface and its peer.
if [ "${BENCH_SKIP_NET:-0}" != 1 ]; then
  run net "$PY" bench/net.py --sim target/release/signbridge-sim --rust-bench "$RUST_BENCH" \
    --c-bench "$OUT/bench-net" --python "$PY" --node node --out "$OUT" --key "$SIM_KEY" --large "$LARGE"
fi
rm -f "$LARGE"

# ---- 3 (core only). The Node waits without Node: the core's own share of that memory. Last, so
# that its 10 000 more sessions do not weigh on the simulator during the other measurements.
run waits-rust "$RUST_BENCH" waits "$PDF"

cleanup
TOTAL=$(($(date +%s) - T0))
step "writing bench/RESULTS.md"
"$PY" bench/report.py "$RESULTS" "$LOAD_LOG" bench/RESULTS.md \
  --build-secs "$BUILD_SECS" --total-secs "$TOTAL" --python "$PY"
echo "make bench: ${TOTAL}s (builds ${BUILD_SECS}s); results in bench/RESULTS.md" >&2
