"""The realistic-network suite of `make bench`: every surface and its usual peer against the
simulator's mutual-TLS listener behind a delay proxy (20 ms round trip), with the TLS handshakes
counted at the server.

usage: net.py --sim SIM --rust-bench BIN --c-bench BIN --python PY --node NODE --out DIR --key KEY
              [--large FILE]

Two simulators are started (`--tls-dir OUT/pki`): one offering HTTP/2 and HTTP/1.1 by ALPN, one
started with `--no-http2`; each gets a delay proxy (`signbridge-bench delay-proxy`, 10 ms each
way, one extra round trip per new connection). Clients connect to https://localhost:PROXY with
the test CA and the client certificate. For each simulator, scenario and implementation one fresh
process runs the workload (bench/rust/src/net.rs, bench/c/net.c, bench/python/net.py,
bench/node/net.js); the simulator's handshake counter (`GET /_sim/tls` on the plain listener) is
read before and after it. Prints JSON lines:

    {"bench": "net-32threads", "lang", "impl", "label", "ours", "http2", "p50_ms", "p99_ms",
     "wall_s", "handshakes", "peak_in_flight", ...}

With --large (the 50 MB PDF), two diagnostics follow on each link: `net-transfer` (the file
uploaded with signbridge's upload_path and downloaded with download_to, against the curl CLI's
`-T` and `-o` over the same link; NET_TRANSFER_REPS, default 3) and `net-first-upload` (the
upload is the process's first call to the origin, and a status call starts 10 ms later on another
thread: how long it waits).

Knobs: NET_THREADS (32), NET_CALLS (20), NET_THINK_MS (50), NET_RAMP_MS (3000), NET_TPR (200),
NET_COLD_REPS (5), NET_ONE_WAY_MS (10), NET_SCENARIOS (threads,staggered,tpr,cold,transfer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))

ap = argparse.ArgumentParser()
ap.add_argument("--sim", required=True)
ap.add_argument("--rust-bench", required=True)
ap.add_argument("--c-bench", required=True)
ap.add_argument("--python", required=True)
ap.add_argument("--node", default="node")
ap.add_argument("--out", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--large", default=None, help="a large PDF for the transfer diagnostics")
args = ap.parse_args()

ONE_WAY_MS = int(os.environ.get("NET_ONE_WAY_MS", "10"))
COLD_REPS = int(os.environ.get("NET_COLD_REPS", "5"))
SCENARIOS = os.environ.get("NET_SCENARIOS", "threads,staggered,tpr,cold,transfer").split(",")
TRANSFER_REPS = int(os.environ.get("NET_TRANSFER_REPS", "3"))
BENCH_NAME = {"threads": "net-32threads", "staggered": "net-staggered", "tpr": "net-tpr", "cold": "net-cold"}

# (lang, impl, label, ours, command)
IMPLS = [
    ("rust", "signbridge", "signbridge blocking, one shared Client", True,
     [args.rust_bench, "net", "{s}", "signbridge"]),
    ("rust", "reqwest", "reqwest, one Client on a 2-worker multi_thread rt (block_on per call)", False,
     [args.rust_bench, "net", "{s}", "reqwest"]),
    ("c", "signbridge", "libsignbridge, one shared sb_client", True, [args.c_bench, "{s}", "signbridge"]),
    ("c", "libcurl", "libcurl, easy handle per thread + share handle (conn, TLS sessions, DNS)", False,
     [args.c_bench, "{s}", "libcurl"]),
    ("python", "signbridge", "signbridge wheel, one shared Client", True,
     [args.python, os.path.join(HERE, "python", "net.py"), "{s}", "signbridge"]),
    ("python", "httpx", "httpx.Client shared by the threads (defaults: HTTP/1.1)", False,
     [args.python, os.path.join(HERE, "python", "net.py"), "{s}", "httpx"]),
    ("python", "requests", "requests.Session per thread", False,
     [args.python, os.path.join(HERE, "python", "net.py"), "{s}", "requests"]),
    ("node", "signbridge", "signbridge addon, one Client", True,
     [args.node, os.path.join(HERE, "node", "net.js"), "{s}", "signbridge"]),
    ("node", "undici", "undici fetch + one Agent (defaults: HTTP/1.1)", False,
     [args.node, os.path.join(HERE, "node", "net.js"), "{s}", "undici"]),
]

procs: list[subprocess.Popen] = []


def start(name: str, cmd: list[str], pattern: str) -> tuple[subprocess.Popen, list[str]]:
    """Start cmd (stdout to OUT/name.out); wait for lines starting with `pattern`."""
    out = open(os.path.join(args.out, f"{name}.out"), "w")
    err = open(os.path.join(args.out, f"{name}.err"), "w")
    p = subprocess.Popen(cmd, stdout=out, stderr=err)
    procs.append(p)
    for _ in range(200):
        lines = [l for l in open(os.path.join(args.out, f"{name}.out")).read().splitlines() if l.startswith(pattern)]
        if lines:
            return p, lines
        if p.poll() is not None:
            break
        time.sleep(0.05)
    sys.stderr.write(open(os.path.join(args.out, f"{name}.err")).read())
    raise SystemExit(f"{name} did not start")


def http(method: str, url: str, body: bytes | None = None) -> dict:
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Zs-Product-Key": args.key, "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def handshakes(plain: str) -> int:
    time.sleep(0.1)  # a handshake whose last flight is still in the proxy's delay line
    return http("GET", f"{plain}/_sim/tls")["handshakes"]


def child_env(link: dict) -> dict:
    env = dict(os.environ)
    # A clean user environment: this machine's CA-bundle variables would make requests ignore its
    # Session's verify, and Node load a second CA store at start-up.
    for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS"):
        env.pop(k, None)
    pki = link["pki"]
    env.update(NET_URL=link["url"], NET_SID=link["sid"], SIM_KEY=args.key,
               NET_CA=os.path.join(pki, "ca.pem"), NET_CERT=os.path.join(pki, "client.pem"),
               NET_KEY=os.path.join(pki, "client-key.pem"),
               NET_COMBINED=os.path.join(pki, "client-combined.pem"),
               NET_UNDICI=os.path.join(args.out, "npm", "node_modules", "undici"))
    return env


def run_one(cmd: list[str], env: dict) -> tuple[dict, float]:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode})")
    line = next((l for l in p.stdout.splitlines() if l.startswith("{")), None)
    if line is None:
        raise SystemExit(f"{' '.join(cmd)} printed no result")
    return json.loads(line), wall


def curl_link(link: dict, extra: list[str]) -> float:
    """The curl CLI through the link with the client certificate; returns its wall seconds."""
    pki = link["pki"]
    cmd = ["curl", "-sf", "--cacert", os.path.join(pki, "ca.pem"), "--cert", os.path.join(pki, "client.pem"),
           "--key", os.path.join(pki, "client-key.pem"), "-H", f"Zs-Product-Key: {args.key}"] + extra
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def transfer(link: dict, env: dict) -> None:
    """The large-file diagnostics over the link (see the module documentation)."""
    size = os.path.getsize(args.large)
    base = {"lang": "rust", "http2": link["h2"], "rtt_ms": 2 * ONE_WAY_MS, "bytes": size}
    res: dict[str, list[float]] = {}
    for _ in range(TRANSFER_REPS):
        sid = http("POST", f"{link['plain']}/api/v5/sessions/signing/", b"{}")["id"]
        r, _ = run_one([args.rust_bench, "net", "transfer", "signbridge"],
                       dict(env, NET_SID=sid, NET_UPLOAD_FILE=args.large))
        res.setdefault("signbridge upload_path", []).append(r["upload_s"])
        res.setdefault("signbridge download_to", []).append(r["download_s"])
        fid = http("GET", f"{link['plain']}/api/v5/sessions/signing/{sid}")["result"]["inputFiles"][0]["id"]
        dest = args.large + ".net-curl"
        res.setdefault("curl -o", []).append(curl_link(link, ["-o", dest, "-H", f"Authorization: {args.key}",
                                                         f"{link['url']}/folders/{sid}/media/{fid}"]))
        got = os.path.getsize(dest)
        os.remove(dest)
        if got != size:
            raise SystemExit(f"curl downloaded {got} bytes, expected {size}")
        res.setdefault("curl -T", []).append(curl_link(link, [
            "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/pdf", "-H", "Expect:",
            "-T", args.large, f"{link['url']}/api/v5/sessions/signing/{sid}/files?name=large.pdf"]))
    for impl, secs in res.items():
        med = statistics.median(secs)
        print(json.dumps(dict(base, bench="net-transfer", impl=impl, n=len(secs), secs=med,
                              mb_per_s=size / 1e6 / med, ours=impl.startswith("signbridge"))), flush=True)
    sid = http("POST", f"{link['plain']}/api/v5/sessions/signing/", b"{}")["id"]
    r, _ = run_one([args.rust_bench, "net", "upload-first", "signbridge"],
                   dict(env, NET_SID=sid, NET_UPLOAD_FILE=args.large))
    print(json.dumps(dict(base, bench="net-first-upload", impl="signbridge", upload_ms=r["upload_ms"],
                          status_started_after_ms=r["status_started_after_ms"], status_ms=r["status_ms"])), flush=True)


def main() -> None:
    pki = os.path.join(args.out, "pki")
    os.makedirs(pki, exist_ok=True)
    links = []
    for h2 in (True, False):
        name = "net-sim-h2" if h2 else "net-sim-h1"
        cmd = [args.sim, "--port", "0", "--quiet", "--tls-dir", pki] + ([] if h2 else ["--no-http2"])
        _, lines = start(name, cmd, "signbridge-sim")
        plain = next(l.split()[-1] for l in lines if l.startswith("signbridge-sim listening on "))
        if not any(" tls listening on " in l for l in lines):
            time.sleep(0.2)
            lines = open(os.path.join(args.out, f"{name}.out")).read().splitlines()
        tls = next(l.split(" tls listening on ")[1].split()[0] for l in lines if " tls listening on " in l)
        tls_port = tls.rsplit(":", 1)[1].rstrip("/")
        _, pl = start(name + "-proxy", [args.rust_bench, "delay-proxy", "127.0.0.1:0",
                                        f"127.0.0.1:{tls_port}", str(ONE_WAY_MS)], "delay-proxy listening on ")
        proxy_port = pl[0].rsplit(":", 1)[1]
        sid = http("POST", f"{plain}/api/v5/sessions/signing/", b"{}")["id"]
        offered = http("GET", f"{plain}/_sim/tls")["http2"]
        if offered != h2:
            raise SystemExit(f"{name}: /_sim/tls says http2={offered}")
        links.append({"h2": h2, "plain": plain, "url": f"https://localhost:{proxy_port}", "sid": sid, "pki": pki})

    for link in links:
        env = child_env(link)
        for scenario in SCENARIOS:
            if scenario == "transfer":
                if args.large:
                    transfer(link, env)
                continue
            for lang, impl, label, ours, cmd in IMPLS:
                if scenario == "tpr" and lang == "node":
                    continue  # one event loop: there is no thread per request in Node
                argv = [a.replace("{s}", scenario) for a in cmd]
                row = {"bench": BENCH_NAME[scenario], "lang": lang, "impl": impl, "label": label, "ours": ours,
                       "http2": link["h2"], "rtt_ms": 2 * ONE_WAY_MS}
                if scenario == "cold":
                    firsts, builds, walls, hs = [], [], [], []
                    for _ in range(COLD_REPS):
                        before = handshakes(link["plain"])
                        r, wall = run_one(argv, env)
                        hs.append(handshakes(link["plain"]) - before)
                        firsts.append(r["first_answer_ms"])
                        builds.append(r["construct_ms"])
                        walls.append(wall * 1e3)
                    row.update(n=COLD_REPS, first_answer_ms=statistics.median(firsts),
                               first_answer_min_ms=min(firsts), first_answer_max_ms=max(firsts),
                               construct_ms=statistics.median(builds), process_wall_ms=statistics.median(walls),
                               handshakes=max(hs))
                else:
                    before = handshakes(link["plain"])
                    r, wall = run_one(argv, env)
                    row.update({k: r[k] for k in ("n", "p50_ms", "p99_ms", "max_ms", "wall_s", "peak_in_flight")})
                    row["handshakes"] = handshakes(link["plain"]) - before
                    row["process_wall_s"] = wall
                print(json.dumps(row), flush=True)


try:
    main()
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
