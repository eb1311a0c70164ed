"""The shared scenarios (tests/scenarios/*.json, see its README) through `Client.call`, against
the simulator — the same files the Rust, C and Node suites run."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest

import signbridge

from conftest import REPO, Sim

SCENARIOS = REPO / "tests" / "scenarios"
PDF = REPO / "cli" / "assets" / "sample-contract.pdf"


def substitute(v: Any, variables: dict[str, Any]) -> Any:
    """`${name}` replaced in every string; a whole-string `${name}` keeps the value's type."""
    if isinstance(v, str):
        if v.startswith("${") and v.endswith("}") and v.count("${") == 1:
            name = v[2:-1]
            if name in variables:
                return variables[name]
        out = v
        for k, val in variables.items():
            out = out.replace("${" + k + "}", val if isinstance(val, str) else json.dumps(val))
        return out
    if isinstance(v, list):
        return [substitute(x, variables) for x in v]
    if isinstance(v, dict):
        return {k: substitute(x, variables) for k, x in v.items()}
    return v


def mismatch(expected: Any, actual: Any, at: str) -> Optional[str]:
    """None when `actual` matches the subset `expected`, else the first mismatch."""
    if expected == "<any>":
        return None
    if expected == "<nonempty>" and isinstance(actual, (str, list)) and len(actual) > 0:
        return None
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k, ev in expected.items():
            if k not in actual:
                return f"{at}.{k} is missing"
            why = mismatch(ev, actual[k], f"{at}.{k}")
            if why:
                return why
        return None
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (ev, av) in enumerate(zip(expected, actual)):
            why = mismatch(ev, av, f"{at}[{i}]")
            if why:
                return why
        return None
    # JSON equality: booleans are not numbers.
    if type(expected) is type(actual) and expected == actual:
        return None
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and \
            isinstance(actual, (int, float)) and not isinstance(actual, bool) and expected == actual:
        return None
    return f"{at}: expected {json.dumps(expected)}, got {json.dumps(actual)}"


def lookup(v: Any, path: str) -> Any:
    for seg in path.split("."):
        if isinstance(v, list):
            v = v[int(seg)]
        else:
            v = v[seg]
    return v


def scenario_files() -> list[Path]:
    return sorted(p for p in SCENARIOS.glob("*.json") if p.name != "config.json")


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_scenario(path: Path, sim: Sim) -> None:
    config = substitute(json.loads((SCENARIOS / "config.json").read_text()), {"sim": sim.url})
    client = signbridge.Client(config)
    scenario = json.loads(path.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        variables: dict[str, Any] = {
            "sim": sim.url,
            "run": f"py{os.getpid()}x{path.stem}",
            "tmp": tmp,
            "pdf": str(PDF),
            "pdf_base64": base64.b64encode(PDF.read_bytes()).decode(),
        }
        failures: list[str] = []
        for i, raw in enumerate(scenario["steps"]):
            step = substitute(raw, variables)
            here = f"{path.name} step {i}"
            if "sim" in step:
                method, sim_path = step["sim"].split(" ", 1)
                sim.call(method, sim_path, step.get("body"))
                continue
            op = step["call"]
            want = step.get("error")
            try:
                result = client.call(op, step.get("request"))
            except signbridge.SignbridgeError as e:
                if want is None:
                    failures.append(f"{here} ({op}): {e.code.name}: {e}")
                elif e.code.name != want["code"] or want["message"] not in str(e):
                    failures.append(
                        f"{here} ({op}): expected {want['code']} containing {want['message']!r}, "
                        f"got {e.code.name}: {e}"
                    )
                continue
            if want is not None:
                failures.append(f"{here} ({op}): expected an error, got {json.dumps(result)}")
                continue
            if "expect" in step:
                why = mismatch(step["expect"], result, "result")
                if why:
                    failures.append(f"{here} ({op}): {why}")
            for var, p in step.get("save", {}).items():
                variables[var] = lookup(result, p)
        assert not failures, "\n".join(failures)


def test_operations_list_matches_the_core() -> None:
    names = [op["name"] for op in signbridge.operations()]
    assert "securosys.create_key" in names
    assert len(names) == len(set(names))
    assert all(isinstance(op["long_running"], bool) for op in signbridge.operations())


def test_call_rejects_wrong_python_types() -> None:
    client = signbridge.Client(zignsec={"base_url": "http://127.0.0.1:9", "keys": ["k"]})
    with pytest.raises(TypeError):
        client.call("zignsec.signing_status", {"session_id": object()})  # type: ignore[dict-item]
    with pytest.raises(signbridge.InvalidInput) as e:
        client.call("zignsec.no_such_operation", {})
    assert e.value.code == signbridge.ErrorCode.SB_ERR_INVALID_ARGUMENT
