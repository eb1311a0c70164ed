"""The Python examples of README.md and of the documentation site (docs/getting-started/python.md)
run verbatim against the simulator; the webhook and Securosys examples are the example files'
code, verbatim."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Sim

README = REPO / "README.md"
DOC = REPO / "docs" / "getting-started" / "python.md"


def test_readme_example_runs(sim: Sim, tmp_path: Path) -> None:
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "no python example in README.md"
    assert blocks[0] in DOC.read_text(), "the guide's first example differs from README.md's"
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
    assert eid_blocks, "no eID example in docs/getting-started/python.md"
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
    assert code in DOC.read_text(), "The guide's Flask example differs from the example file"


def test_securosys_example_is_in_the_docs_verbatim() -> None:
    example = (REPO / "bindings-python" / "examples" / "securosys_approvals.py").read_text()
    start = example.index("def sign_with_approvals")
    end = example.index("    return signature\n", start)
    assert example[start:end] in DOC.read_text(), \
        "The guide's Securosys example differs from the example file"


def test_provider_switch_example_runs(sim: Sim, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    switch = [b for b in blocks if "client.signing()" in b]
    assert switch, "no provider-neutral signing example in docs/getting-started/python.md"
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
    """As written: it prints the signing URLs, the simulator signs for both signers in order, and
    the wait ends with the transaction completed (not an hour of waiting for nobody)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    examples = [b for b in blocks if "create_package(" in b]
    assert examples, "no OneSpan transaction example in docs/getting-started/python.md"
    code = examples[0].replace("http://127.0.0.1:8089", sim.url)
    os.symlink(REPO / "cli", tmp_path / "cli")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("transaction "), out.stdout
    assert lines[1].startswith("buyer signs at http") and lines[2].startswith("seller signs at")
    assert lines[-1] == "done: COMPLETED", out.stdout
    package_id = lines[0].split()[1]
    packages = sim.call("GET", "/_sim/onespan/packages")["packages"]
    assert [p["status"] for p in packages if p["id"] == package_id] == ["COMPLETED"], packages


def test_readme_c_example_compiles(tmp_path: Path) -> None:
    """README.md's C example is the core of examples/c/sign.c (which make test-c compiles and
    runs); here it must at least compile against the committed header, as C99, warnings as
    errors."""
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    blocks = re.findall(r"```c\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "no C example in README.md"
    program = tmp_path / "readme.c"
    program.write_text(
        '#include <stdio.h>\n#include "signbridge.h"\n\nint main(void) {\n'
        + blocks[0]
        + "    return 0;\n}\n"
    )
    out = subprocess.run(
        [cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
         "-I", str(REPO / "include"), str(program)],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
