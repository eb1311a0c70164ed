"""OneSpan transactions built from dicts through the Python API, against the simulator:
create_package in one request and create_package_in_steps, add_document, update_package, send,
status, signing_status, wait; two signers sign in order; edits after sending are refused
(SB_ERR_INVALID_STATE); bad dicts raise InvalidInput naming the path."""
# The bad-argument cases pass wrong shapes on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, typeddict-item, typeddict-unknown-key, misc, call-overload"

from __future__ import annotations

import urllib.error
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

import signbridge
from signbridge import ErrorCode, PackageSigningStatus, PackageStatus
from signbridge.call_types import NewPackage, NewSigner

from conftest import Sim, onespan_config, sample_pdf

LEASE = sample_pdf("Lease")
ANNEX = sample_pdf("Annex", pages=2)

SIGNERS: list[NewSigner] = [
    {"role_id": "buyer", "email": "kari@example.com", "first_name": "Kari",
     "last_name": "Nordmann", "order": 1},
    {"role_id": "seller", "email": "ola@example.com", "first_name": "Ola",
     "last_name": "Hansen", "company": "Hansen AS", "order": 2},
]


@pytest.fixture
def client(sim: Sim) -> Iterator[signbridge.Client]:
    with signbridge.Client(onespan_config(sim)) as c:
        yield c


def lease(tmp_path: Path, **extra: object) -> NewPackage:
    path = tmp_path / "lease.pdf"
    path.write_bytes(LEASE)
    spec: NewPackage = {
        "name": f"Lease {uuid.uuid4().hex[:8]}",
        "description": "Python build test",
        "signers": SIGNERS,
        "documents": [
            {"path": str(path), "id": "lease", "fields": [
                {"role_id": "buyer", "page": 0, "top": 650, "left": 60},
                {"role_id": "seller", "page": 0, "top": 650, "left": 320, "kind": "INITIALS"},
            ]},
            {"name": "Annex A", "content_base64": ANNEX},
        ],
    }
    spec.update(extra)  # type: ignore[typeddict-item]
    return spec


def test_draft_edit_send_sign_in_order_wait(
    client: signbridge.Client, sim: Sim, tmp_path: Path
) -> None:
    onespan = client.onespan()
    pid = onespan.create_package(**lease(tmp_path))
    assert onespan.status(pid) == PackageStatus.DRAFT
    # a draft changes
    onespan.update_package(pid, name="Lease (renamed)", email_message="Please sign")
    added = onespan.add_document(pid, {"name": "Annex B", "content_base64": bytes(bytearray(ANNEX)),
                                       "fields": [
                                           {"role_id": "seller", "page": 1, "top": 100, "left": 100}]})
    assert added["name"] == "Annex B" and added["id"]
    pkg = onespan.get_package(pid)
    assert pkg["name"] == "Lease (renamed)" and pkg["emailMessage"] == "Please sign"
    names = {d["id"]: d["name"] for d in pkg["documents"]}
    assert names["lease"] == "lease" and names[added["id"]] == "Annex B"
    assert "Annex A" in names.values()
    assert [r["id"] for r in pkg["roles"] if r["type"] == "SIGNER"] == ["buyer", "seller"]
    seller = [r for r in pkg["roles"] if r["id"] == "seller"][0]
    assert seller["signers"][0]["company"] == "Hansen AS"
    with pytest.raises(signbridge.InvalidState) as draft:
        onespan.wait(pid, interval_ms=100, timeout_ms=30_000)
    assert draft.value.code is ErrorCode.SB_ERR_INVALID_STATE

    # sent: no more edits
    onespan.send(pid)
    assert onespan.status(pid) == PackageStatus.SENT
    assert onespan.signing_status(pid) == PackageSigningStatus.SIGNING_PENDING
    with pytest.raises(signbridge.InvalidState) as late:
        onespan.update_package(pid, name="Too late")
    assert late.value.code is ErrorCode.SB_ERR_INVALID_STATE
    with pytest.raises(signbridge.InvalidState) as late_doc:
        onespan.add_document(pid, {"name": "late", "content_base64": LEASE})
    assert late_doc.value.code is ErrorCode.SB_ERR_INVALID_STATE
    with pytest.raises(signbridge.TimedOut):
        onespan.wait(pid, interval_ms=100, timeout_ms=300)

    # in order: the seller cannot sign before the buyer
    with pytest.raises(urllib.error.HTTPError) as out_of_turn:
        sim.onespan_sign(pid, "seller")
    assert out_of_turn.value.code == 400
    sim.onespan_sign(pid, "buyer")
    assert onespan.signing_status(pid, signer_id="buyer") == \
        PackageSigningStatus.SIGNING_COMPLETED
    assert onespan.signing_status(pid, signer_id="seller") == \
        PackageSigningStatus.SIGNING_PENDING
    sim.onespan_sign(pid, "seller")
    seen: list[dict[str, Any]] = []
    done = onespan.wait(pid, interval_ms=100, timeout_ms=30_000, on_progress=seen.append)
    assert done["status"] == PackageStatus.COMPLETED
    assert seen[-1]["status"] == PackageStatus.COMPLETED
    assert all(a["signed"] for d in done["documents"] for a in d["approvals"])
    onespan.delete(pid)


def test_in_steps_sent_on_creation(client: signbridge.Client, sim: Sim, tmp_path: Path) -> None:
    onespan = client.onespan()
    pid = onespan.create_package_in_steps(**lease(tmp_path, send=True))
    pkg = onespan.get_package(pid)
    assert pkg["status"] == PackageStatus.SENT
    assert {"lease", "Annex A"} <= {d["name"] for d in pkg["documents"]}
    sim.onespan_sign(pid, "buyer")
    sim.onespan_sign(pid, "seller")
    assert onespan.wait(pid, interval_ms=100, timeout_ms=30_000)["status"] == \
        PackageStatus.COMPLETED
    onespan.delete(pid)


def test_bad_dicts_name_the_path(client: signbridge.Client, sim: Sim, tmp_path: Path) -> None:
    onespan = client.onespan()
    before = len(sim.requests())
    bad = lease(tmp_path)
    assert bad["documents"] is not None
    bad["documents"][1]["fields"] = [{"role_id": "buyer", "page": -1, "top": 1, "left": 1}]
    with pytest.raises(signbridge.InvalidInput) as info:
        onespan.create_package(**bad)
    assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
    assert "documents[1].fields[0].page" in info.value.message

    cases: list[tuple[dict[str, object], str]] = [
        ({"name": "x", "signers": SIGNERS, "colour": "red"}, "colour"),
        ({"name": "x"}, "signers is required"),
        ({"name": "x", "signers": [{"role_id": "a"}]}, "signers[0].email"),
        ({"name": "x", "signers": SIGNERS, "documents": [
            {"name": "a", "content_base64": LEASE, "fields": [
                {"role_id": "notary", "page": 0, "top": 1, "left": 1}]}]},
         "documents[0].fields[0].role_id"),
        ({"name": "x", "signers": SIGNERS, "documents": [{"name": "a"}]}, "documents[0]"),
        ({"name": "x", "signers": SIGNERS, "send": "yes"}, "send"),
    ]
    # A whole request (what the keyword arguments build) is checked by the core, naming what
    # is wrong: an unknown or a missing field as well as a bad value.
    for spec, needle in cases:
        with pytest.raises(signbridge.InvalidInput) as info:
            client.call("onespan.create_package_in_steps", spec)
        assert needle in info.value.message, (spec, info.value.message)

    with pytest.raises(signbridge.InvalidDocument) as not_pdf:
        onespan.create_package("x", SIGNERS, documents=[{"name": "a", "content_base64": b"hello"}])
    assert "documents[0]" in not_pdf.value.message
    with pytest.raises(signbridge.InvalidInput, match=r"documents\[0\]\.content_base64"):
        onespan.create_package("x", SIGNERS, documents=[{"name": "a", "content_base64": "%PDF-"}])
    with pytest.raises(signbridge.InvalidInput, match="content_base64"):
        onespan.add_document("abc", {"name": "a", "content_base64": LEASE, "path": "x.pdf"})
    with pytest.raises(signbridge.InvalidInput, match="must be a JSON object"):
        client.call("onespan.create_package", [("name", "x")])
    with pytest.raises(signbridge.InvalidInput, match="changes nothing"):
        onespan.update_package("abc")
    with pytest.raises(signbridge.InvalidInput, match="status"):
        client.call("onespan.update_package", {"package_id": "abc", "status": "SENT"})
    with pytest.raises(signbridge.InvalidInput, match="name"):
        onespan.update_package("abc", name=5)
    # nothing reached the service
    assert len(sim.requests()) == before
