"""The Python examples of README.md run verbatim against the simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, Sim

DOC = REPO / "README.md"


def test_readme_example_runs(sim: Sim, tmp_path: Path) -> None:
    text = DOC.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "no python example in README.md"
    code = blocks[0].replace("http://127.0.0.1:8089", sim.url)
    # Run "from the repository root", but write signed/ into a temporary directory.
    os.symlink(REPO / "cli", tmp_path / "cli")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "send the signer to" in out.stdout
    assert "status: FINISHED" in out.stdout
    assert "signed by Aksel Herseth" in out.stdout
    saved = sorted(p.name for p in (tmp_path / "signed").iterdir())
    assert saved == ["sample-appendix.pdf", "sample-contract.pdf"], out.stdout


def test_eid_example_runs(sim: Sim, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    eid_blocks = [b for b in blocks if "zignsec_eid()" in b]
    assert eid_blocks, "no eID example in README.md"
    code = eid_blocks[0].replace("http://127.0.0.1:8089", sim.url)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "send the user to" in out.stdout
    assert "identified Astrid Lindqvist 1990-01-01 for order-42" in out.stdout


def test_flask_example_is_in_the_docs_verbatim() -> None:
    example = (REPO / "bindings-python" / "examples" / "flask_webhook.py").read_text()
    code = example[example.index("from __future__ import annotations"):]
    assert code in DOC.read_text(), "README.md's Flask example differs from the example file"


def test_securosys_example_is_in_the_docs_verbatim() -> None:
    example = (REPO / "bindings-python" / "examples" / "securosys_approvals.py").read_text()
    start = example.index("def sign_with_approvals")
    end = example.index("    return signature\n", start)
    assert example[start:end] in DOC.read_text(), \
        "README.md's Securosys example differs from the example file"


def test_provider_switch_example_runs(sim: Sim, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    switch = [b for b in blocks if "client.signing()" in b]
    assert switch, "no provider-neutral signing example in README.md"
    code = switch[0].replace("http://127.0.0.1:8089", sim.url)
    os.symlink(REPO / "cli", tmp_path / "cli")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    for provider in ("zignsec", "onespan"):
        assert f"{provider}:" in out.stdout and "send Kari Nordmann to http" in out.stdout
        [saved] = (tmp_path / "signed" / provider).iterdir()
        assert saved.read_bytes().startswith(b"%PDF-"), out.stdout
        assert f"{provider} saved" in out.stdout


def test_onespan_transaction_example_runs(sim: Sim, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    examples = [b for b in blocks if "create_package(" in b]
    assert examples, "no OneSpan transaction example in README.md"
    code = examples[0].replace("http://127.0.0.1:8089", sim.url)
    os.symlink(REPO / "cli", tmp_path / "cli")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", code], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("transaction "), first + (proc.stderr.read() if proc.stderr else "")
        package_id = first.split()[1]
        urls = [proc.stdout.readline() for _ in range(2)]
        assert urls[0].startswith("buyer signs at http") and urls[1].startswith("seller signs at")
        # The signers, in order (the control API stands in for their browsers).
        sim.onespan_sign(package_id, "buyer")
        sim.onespan_sign(package_id, "seller")
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.strip() == "done: COMPLETED", out
