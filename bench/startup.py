"""Start-up cost (`make bench` item 7): fresh processes that import / require signbridge and build a
client, BENCH_STARTUP_REPS times each (default 10), against a bare interpreter of the same kind.

usage: startup.py PYTHON NODE   (prints JSON lines)
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPS = int(os.environ.get("BENCH_STARTUP_REPS", "10"))


def measure(cmd):
    walls, inner = [], []
    for _ in range(REPS + 1):
        t = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        walls.append((time.perf_counter() - t) * 1e3)
        line = next((l for l in out.splitlines() if l.startswith("{")), None)
        if line:
            inner.append(json.loads(line))
    walls, inner = walls[1:], inner[1:]  # the first run warms the page cache
    return walls, inner


def p90(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, -(-9 * len(xs) // 10) - 1))]


def main():
    py, node = sys.argv[1], sys.argv[2]
    cases = [
        ("python", "bare interpreter (python -c pass)", [py, "-c", "pass"]),
        ("python", "import signbridge + Client(...)", [py, os.path.join(HERE, "python", "bench.py"), "startup"]),
        ("node", "bare runtime (node -e 0)", [node, "-e", "0"]),
        ("node", "require('signbridge') + new Client(...)", [node, os.path.join(HERE, "node", "bench.js"), "startup"]),
    ]
    for lang, impl, cmd in cases:
        walls, inner = measure(cmd)
        row = {"bench": "startup", "lang": lang, "impl": impl, "n": len(walls),
               "wall_median_ms": statistics.median(walls), "wall_p90_ms": p90(walls)}
        if inner:
            for k in ("import_ms", "construct_ms"):
                vals = [i[k] for i in inner]
                row[k + "_median"] = statistics.median(vals)
                row[k + "_p90"] = p90(vals)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
