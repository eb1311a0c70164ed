"""The asyncio measurements of `make bench`: one JSON line per result on stdout.

    asyncio_bench.py seq     N sequential status reads awaited on one loop: signbridge.AsyncClient
                             vs httpx.AsyncClient (+ .json()), alternating blocks
    asyncio_bench.py waits   BENCH_ASYNC_WAITS (1000) concurrent waits on one AsyncClient: RSS and
                             OS threads before and while they are pending, heartbeat ticks, and
                             the time from finishing every session to every wait returning

Environment: SIM_URL, SIM_KEY, BENCH_N (default 5000), BENCH_ASYNC_WAITS (default 1000).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time
import urllib.request
from pathlib import Path

BASE = os.environ.get("SIM_URL", "http://127.0.0.1:8089").rstrip("/")
KEY = os.environ.get("SIM_KEY", "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11")
N = int(os.environ.get("BENCH_N", "5000"))
WAITS = int(os.environ.get("BENCH_ASYNC_WAITS", "1000"))
ROUNDS = 50


def pct(s: list[float], p: float) -> float:
    i = math.ceil(p / 100 * len(s))
    return s[min(max(i, 1), len(s)) - 1]


def emit(bench: str, impl: str, samples: list[float] | None = None, total: float | None = None, **extra) -> None:
    row: dict = {"bench": bench, "lang": "python", "impl": impl}
    if samples:
        s = sorted(samples)
        row.update(n=len(s), median_us=pct(s, 50), p90_us=pct(s, 90))
        if total:
            row["ops_per_s"] = len(s) / total
    row.update(extra)
    print(json.dumps(row), flush=True)


def proc_status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


def sample_pdf() -> bytes:
    root = Path(os.environ.get("BENCH_ROOT", Path(__file__).resolve().parents[2]))
    return (root / "cli" / "assets" / "sample-contract.pdf").read_bytes()


async def seq() -> None:
    import httpx

    import signbridge

    async with signbridge.AsyncClient(zignsec={"base_url": BASE, "keys": [KEY]}) as c:
        signing = c.zignsec_signing()
        sid = (await signing.create())["id"]
        url = f"{BASE}/api/v5/sessions/signing/{sid}"
        async with httpx.AsyncClient(headers={"Zs-Product-Key": KEY}) as hx:

            async def sb_call() -> None:
                await signing.status(sid)

            async def hx_call() -> None:
                r = await hx.get(url)
                r.raise_for_status()
                r.json()

            impls = [("signbridge.AsyncClient (parsed SigningStatus)", sb_call),
                     ("httpx.AsyncClient (+ .json())", hx_call)]
            for _, f in impls:
                for _ in range(200):
                    await f()
            per = max(N // ROUNDS, 1)
            samples: dict[str, list[float]] = {n: [] for n, _ in impls}
            totals = {n: 0.0 for n, _ in impls}
            clock = time.perf_counter
            for _ in range(ROUNDS):
                for name, f in impls:
                    s = samples[name]
                    t0 = clock()
                    for _ in range(per):
                        t = clock()
                        await f()
                        s.append((clock() - t) * 1e6)
                    totals[name] += clock() - t0
            for name, _ in impls:
                emit("py_async_seq", name, samples[name], totals[name])


async def waits() -> None:
    import signbridge

    pdf = sample_pdf()
    async with signbridge.AsyncClient(zignsec={"base_url": BASE, "keys": [KEY]}) as c:
        signing = c.zignsec_signing()
        started = await asyncio.gather(
            *(signing.sign_documents([{"data_base64": pdf, "name": f"c{i}.pdf"}]) for i in range(WAITS)))
        rss0, thr0 = proc_status("VmRSS"), proc_status("Threads")
        tasks = [asyncio.ensure_future(signing.wait(s["id"], interval_ms=500, timeout_ms=600_000))
                 for s in started]
        ticks = 0
        t_hb = time.perf_counter()
        while time.perf_counter() - t_hb < 2.0:
            await asyncio.sleep(0.01)
            ticks += 1
        hb_secs = time.perf_counter() - t_hb
        rss1, thr1 = proc_status("VmRSS"), proc_status("Threads")

        def finish_all() -> None:
            for s in started:
                req = urllib.request.Request(f"{BASE}/_sim/zignsec/signing/{s['id']}/complete", data=b"{}",
                                             method="POST", headers={"Content-Type": "application/json"})
                urllib.request.urlopen(req, timeout=10).read()

        await asyncio.to_thread(finish_all)
        t0 = time.perf_counter()
        await asyncio.gather(*tasks)
        emit("py_async_waits", "signbridge.AsyncClient", waits=WAITS,
             rss_kb_before=rss0, rss_kb_pending=rss1, rss_kb_per_wait=(rss1 - rss0) / WAITS,
             threads_before=thr0, threads_pending=thr1,
             heartbeat_ticks=ticks, heartbeat_expected=int(hb_secs / 0.01),
             drain_s=time.perf_counter() - t0)


if __name__ == "__main__":
    asyncio.run({"seq": seq, "waits": waits}[sys.argv[1]]())
