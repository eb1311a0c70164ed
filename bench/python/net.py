"""The Python clients of the realistic-network suite (bench/net.py runs them, one fresh process per
scenario and implementation, and counts the TLS handshakes at the simulator around each).

    net.py SCENARIO IMPL

IMPL: `signbridge` (the wheel, one `Client` shared by every thread), `httpx` (one `httpx.Client`
shared by the threads, HTTP/1.1 as by default) or `requests` (one `requests.Session` per thread, as
requests does not promise a Session is thread-safe; closed when its thread ends).

SCENARIO: `threads` (NET_THREADS=32 threads × NET_CALLS=20 calls, NET_THINK_MS=50 ms apart),
`staggered` (the same, threads started evenly over NET_RAMP_MS=3000 ms), `tpr` (NET_TPR=200
sequential calls, each on a new thread), `cold` (import → client → first answer, once).

Each call reads a session's status and decodes the JSON. Environment: NET_URL (through the delay
proxy), NET_CA, NET_CERT, NET_KEY, SIM_KEY, NET_SID. Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time

clock = time.perf_counter
T_START = clock()

URL = os.environ.get("NET_URL", "").rstrip("/")
CA = os.environ.get("NET_CA", "")
CERT = os.environ.get("NET_CERT", "")
KEY_FILE = os.environ.get("NET_KEY", "")
KEY = os.environ.get("SIM_KEY", "")
SID = os.environ.get("NET_SID", "")


def env_n(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def pct(s: list[float], p: float) -> float:
    if not s:
        return float("nan")
    i = math.ceil(p / 100 * len(s))
    return s[min(max(i, 1), len(s)) - 1]


def make(impl: str):
    """(call, thread_done): the implementation's call, and what a thread runs when it ends."""
    status_url = f"{URL}/api/v5/sessions/signing/{SID}"
    hdr = {"Zs-Product-Key": KEY}
    if impl == "signbridge":
        import signbridge

        c = signbridge.Client(
            zignsec={"base_url": URL, "keys": [KEY],
                     "client_cert": {"cert": {"file": CERT}, "key": {"file": KEY_FILE}}},
            transport={"ca_file": CA},
        )
        s = c.zignsec_signing()
        return (lambda: s.status(SID)), (lambda: None)
    if impl == "httpx":
        import ssl

        import httpx

        ctx = ssl.create_default_context(cafile=CA)
        ctx.load_cert_chain(CERT, KEY_FILE)
        hx = httpx.Client(verify=ctx, headers=hdr)

        def hx_call():
            r = hx.get(status_url)
            r.raise_for_status()
            return r.json()

        return hx_call, (lambda: None)
    if impl == "requests":
        import requests

        local = threading.local()

        def rq_call():
            s = getattr(local, "s", None)
            if s is None:
                s = local.s = requests.Session()
                s.cert = (CERT, KEY_FILE)
            # verify per request: REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment would
            # override a Session-level verify.
            r = s.get(status_url, headers=hdr, verify=CA)
            r.raise_for_status()
            return r.json()

        def done():
            s = getattr(local, "s", None)
            if s is not None:
                s.close()
                local.s = None

        return rq_call, done
    raise SystemExit(f"unknown implementation {impl!r} (signbridge | httpx | requests)")


class InFlight:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def timed(self, call) -> float:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        t = clock()
        try:
            call()
        finally:
            with self.lock:
                self.now -= 1
        return (clock() - t) * 1e3


def threads(call, done, ramp_s: float):
    n, calls = env_n("NET_THREADS", 32), env_n("NET_CALLS", 20)
    think = env_n("NET_THINK_MS", 50) / 1e3
    fl = InFlight()
    lat: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n + 1)

    def work(i: int) -> None:
        barrier.wait()
        try:
            time.sleep(ramp_s * i / n)
            mine = []
            for k in range(calls):
                if k:
                    time.sleep(think)
                mine.append(fl.timed(call))
            with lock:
                lat.extend(mine)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            done()

    ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    barrier.wait()
    t0 = clock()
    for t in ts:
        t.join()
    wall = clock() - t0
    if errors:
        raise errors[0]
    return lat, wall, fl.peak


def thread_per_request(call, done):
    n = env_n("NET_TPR", 200)
    fl = InFlight()
    lat: list[float] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            lat.append(fl.timed(call))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            done()

    t0 = clock()
    for _ in range(n):
        t = threading.Thread(target=one)
        t.start()
        t.join()
        if errors:
            raise errors[0]
    return lat, clock() - t0, fl.peak


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    scenario, impl = sys.argv[1], sys.argv[2]
    if scenario == "cold":
        t = clock()
        call, _ = make(impl)  # the import included
        built = clock() - t
        call()
        first = clock() - t
        print(json.dumps({"scenario": "cold", "lang": "python", "impl": impl, "construct_ms": built * 1e3,
                          "first_answer_ms": first * 1e3, "since_main_ms": (clock() - T_START) * 1e3}), flush=True)
        return
    call, done = make(impl)
    if scenario == "threads":
        lat, wall, peak = threads(call, done, 0.0)
    elif scenario == "staggered":
        lat, wall, peak = threads(call, done, env_n("NET_RAMP_MS", 3000) / 1e3)
    elif scenario == "tpr":
        lat, wall, peak = thread_per_request(call, done)
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    s = sorted(lat)
    print(json.dumps({"scenario": scenario, "lang": "python", "impl": impl, "n": len(s), "p50_ms": pct(s, 50),
                      "p99_ms": pct(s, 99), "max_ms": s[-1], "wall_s": wall, "peak_in_flight": peak}), flush=True)


if __name__ == "__main__":
    main()
