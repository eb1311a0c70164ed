"""The Python measurements of `make bench`: one JSON line per result on stdout.

    bench.py overhead   N sequential status reads: the signbridge wheel vs requests.Session vs
                        httpx.Client (alternating blocks); then the same with 8 threads
    bench.py flow PDF   complete signing flows per second through the wheel
    bench.py startup    (run in a fresh interpreter) import signbridge + Client construction
    bench.py large PDF  curl -F / -T / -o of the large PDF, then the wheel's upload(path=) and
                        download_to (throughput, peak RSS)

Environment: SIM_URL, SIM_KEY, BENCH_N (default 5000), BENCH_FLOWS (default 300).
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time

BASE = os.environ.get("SIM_URL", "http://127.0.0.1:8089").rstrip("/")
KEY = os.environ.get("SIM_KEY", "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11")
N = int(os.environ.get("BENCH_N", "5000"))
FLOWS = int(os.environ.get("BENCH_FLOWS", "300"))
ROUNDS = 50
THREADS = 8


def pct(sorted_s: list[float], p: float) -> float:
    if not sorted_s:
        return float("nan")
    i = math.ceil(p / 100 * len(sorted_s))
    return sorted_s[min(max(i, 1), len(sorted_s)) - 1]


def emit(bench: str, impl: str, samples: list[float] | None = None, total: float | None = None, **extra) -> None:
    row: dict = {"bench": bench, "lang": "python", "impl": impl}
    if samples is not None:
        s = sorted(samples)
        row.update(n=len(s), median_us=pct(s, 50), p90_us=pct(s, 90))
        if total:
            row["ops_per_s"] = len(s) / total
    row.update(extra)
    print(json.dumps(row), flush=True)


def client():
    import signbridge

    return signbridge.Client(zignsec={"base_url": BASE, "keys": [KEY]})


def overhead() -> None:
    import httpx
    import requests

    c = client()
    signing = c.zignsec_signing()
    sid = signing.create()["id"]
    url = f"{BASE}/api/v5/sessions/signing/{sid}"
    hdr = {"Zs-Product-Key": KEY}
    rs = requests.Session()
    hx = httpx.Client(headers=hdr)

    def sb_call() -> None:
        signing.status(sid)

    def rq_call() -> None:
        r = rs.get(url, headers=hdr)
        r.raise_for_status()
        r.json()

    def hx_call() -> None:
        r = hx.get(url)
        r.raise_for_status()
        r.json()

    impls = [
        ("signbridge wheel (parsed SigningStatus)", sb_call),
        ("requests.Session (+ .json())", rq_call),
        ("httpx.Client (+ .json())", hx_call),
    ]
    for _, f in impls:
        for _ in range(200):
            f()
    per = max(N // ROUNDS, 1)
    samples: dict[str, list[float]] = {name: [] for name, _ in impls}
    totals = {name: 0.0 for name, _ in impls}
    clock = time.perf_counter
    for _ in range(ROUNDS):
        for name, f in impls:
            s = samples[name]
            t0 = clock()
            for _ in range(per):
                t = clock()
                f()
                s.append((clock() - t) * 1e6)
            totals[name] += clock() - t0
    for name, _ in impls:
        emit("py_seq", name, samples[name], totals[name])

    # 8 threads: one shared signbridge Client and httpx.Client (both thread-safe); one
    # requests.Session per thread (requests does not promise a Session is thread-safe).
    local = threading.local()

    def rq_thread_call() -> None:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        r = local.s.get(url, headers=hdr)
        r.raise_for_status()
        r.json()

    threaded = [
        ("signbridge wheel, shared Client", sb_call),
        ("requests, Session per thread", rq_thread_call),
        ("httpx.Client, shared", hx_call),
    ]
    for name, f in threaded:
        per_thread = max(N // THREADS, 1)
        lat: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(THREADS + 1)

        def work() -> None:
            mine = []
            for _ in range(20):
                f()
            barrier.wait()
            for _ in range(per_thread):
                t = clock()
                f()
                mine.append((clock() - t) * 1e6)
            with lock:
                lat.extend(mine)

        ts = [threading.Thread(target=work) for _ in range(THREADS)]
        for t in ts:
            t.start()
        barrier.wait()
        t0 = clock()
        for t in ts:
            t.join()
        emit("py_threads", name, lat, clock() - t0, threads=THREADS)
    hx.close()
    c.close()


def flow(pdf_path: str) -> None:
    import requests

    pdf = open(pdf_path, "rb").read()
    c = client()
    signing = c.zignsec_signing()
    control = requests.Session()
    clock = time.perf_counter

    def one() -> None:
        s = signing.create()["id"]
        f = signing.upload(s, pdf=pdf, name="contract.pdf")
        signing.start(s, {"files": [{"file_id": f["file_id"]}]})
        r = control.post(f"{BASE}/_sim/zignsec/signing/{s}/complete", json={})
        r.raise_for_status()
        st = signing.status(s)
        signing.download(st["signed_files"][0])

    for _ in range(10):
        one()
    lat = []
    t0 = clock()
    for _ in range(FLOWS):
        t = clock()
        one()
        lat.append((clock() - t) * 1e6)
    emit("flow", "signbridge wheel, sequential", lat, clock() - t0, concurrency=1)

    # 8 threads sharing one Client.
    lat = []
    lock = threading.Lock()
    per = max(FLOWS // THREADS, 1) * 2

    def work() -> None:
        mine = []
        for _ in range(per):
            t = clock()
            one()
            mine.append((clock() - t) * 1e6)
        with lock:
            lat.extend(mine)

    ts = [threading.Thread(target=work) for _ in range(THREADS)]
    t0 = clock()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    emit("flow", "signbridge wheel, 8 threads", lat, clock() - t0, concurrency=THREADS)
    c.close()


def startup() -> None:
    """Run in a fresh interpreter by run.sh; prints the in-process times."""
    t0 = time.perf_counter()
    import signbridge

    t1 = time.perf_counter()
    c = signbridge.Client(zignsec={"base_url": BASE, "keys": [KEY]})
    c.zignsec_signing()
    t2 = time.perf_counter()
    print(json.dumps({"import_ms": (t1 - t0) * 1e3, "construct_ms": (t2 - t1) * 1e3}), flush=True)


def run_measured(cmd: list[str]) -> tuple[float, int]:
    """Run cmd; return (seconds, peak RSS of the child in KiB)."""
    import subprocess

    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"{cmd[0]} failed: {status}")
    return dt, ru.ru_maxrss


def large(pdf_path: str) -> None:
    """curl, for comparison with the Rust large-document numbers (same simulator)."""
    import signbridge

    reps = int(os.environ.get("BENCH_LARGE_REPS", "3"))
    size = os.path.getsize(pdf_path)
    signing = client().zignsec_signing()
    # curl's own baseline RSS (a tiny request), to subtract.
    _, base_rss = run_measured(["curl", "-sf", "-o", "/dev/null", f"{BASE}/_sim/health"])
    for rep in range(reps):
        sid = signing.create()["id"]
        up_s, up_rss = run_measured([
            "curl", "-sf", "-o", "/dev/null", "-H", f"Zs-Product-Key: {KEY}",
            "-F", f"file=@{pdf_path};type=application/pdf",
            f"{BASE}/api/v5/sessions/signing/{sid}/files",
        ])
        # curl -T: the file streamed as the raw request body (the simulator takes application/pdf
        # bodies too); no `Expect: 100-continue` round trip, as signbridge sends none.
        sid_t = signing.create()["id"]
        put_s, put_rss = run_measured([
            "curl", "-sf", "-o", "/dev/null", "-X", "POST", "-H", f"Zs-Product-Key: {KEY}",
            "-H", "Content-Type: application/pdf", "-H", "Expect:", "-T", pdf_path,
            f"{BASE}/api/v5/sessions/signing/{sid_t}/files?name=large.pdf",
        ])
        st = signing.status(sid)
        fid = st["input_files"][0]["id"]
        dest = pdf_path + ".curl-download"
        down_s, down_rss = run_measured([
            "curl", "-sf", "-o", dest, "-H", f"Authorization: {KEY}",
            f"{BASE}/folders/{sid}/media/{fid}",
        ])
        got = os.path.getsize(dest)
        # What signbridge's download_to does on top: the md5 of what was written (md5sum).
        md5_s, _ = run_measured(["md5sum", dest])
        os.remove(dest)
        if got != size:
            raise SystemExit(f"curl downloaded {got} bytes, expected {size}")
        for impl, secs, rss in (("curl -F (multipart upload)", up_s, up_rss),
                                ("curl -T (raw body upload)", put_s, put_rss),
                                ("curl -o (download)", down_s, down_rss),
                                ("curl -o, then md5sum (download + verify)", down_s + md5_s, down_rss)):
            emit("large", impl, rep=rep, bytes=size, secs=secs, mb_per_s=size / 1e6 / secs,
                 rss_growth_kb=max(rss - base_rss, 0), peak_rss_kb=rss, note="whole process incl. exec")
    del signbridge

    # The wheel too: upload_path + download_to, peak RSS of this process (VmHWM reset per step).
    def kb(field: str) -> int:
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1])
        return 0

    def reset() -> None:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass

    for rep in range(reps):
        sid = signing.create()["id"]
        reset()
        base = kb("VmRSS:")
        t = time.perf_counter()
        f = signing.upload(sid, path=pdf_path)
        up_s = time.perf_counter() - t
        up_g = kb("VmHWM:") - base
        st = signing.status(sid)
        ref = [x for x in st["input_files"] if x["id"] == f["file_id"]][0]
        dest = pdf_path + ".py-download"
        reset()
        base = kb("VmRSS:")
        t = time.perf_counter()
        signing.download_to(ref, dest)
        down_s = time.perf_counter() - t
        down_g = kb("VmHWM:") - base
        os.remove(dest)
        emit("large", "signbridge wheel upload_path", rep=rep, bytes=size, secs=up_s,
             mb_per_s=size / 1e6 / up_s, rss_growth_kb=max(up_g, 0))
        emit("large", "signbridge wheel download_to", rep=rep, bytes=size, secs=down_s,
             mb_per_s=size / 1e6 / down_s, rss_growth_kb=max(down_g, 0))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "overhead":
        overhead()
    elif cmd == "flow":
        flow(sys.argv[2])
    elif cmd == "startup":
        startup()
    elif cmd == "large":
        large(sys.argv[2])
    else:
        raise SystemExit(__doc__)
