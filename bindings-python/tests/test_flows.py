"""Whole signing flows against the simulator: single and multiple documents, cancel, rotation."""

from __future__ import annotations

import hashlib
import base64
import logging
from pathlib import Path
from typing import Any

import pytest

import signbridge
from signbridge import SessionStatus
from signbridge.call_types import ZignsecDocument, ZignsecSignDocumentsResult

from conftest import PRIMARY_KEY, SECONDARY_KEY, Sim, config, sample_pdf


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_single_document_step_by_step(
    sim: Sim, signing: signbridge.ZignsecSigning, pdf: bytes, tmp_path: Path
) -> None:
    session = signing.create(locale="En", relay_state="order-42", metadata={"ref": 1})
    assert set(session) == {"id", "status"}
    assert SessionStatus(session["status"]) is SessionStatus.CREATED
    assert session["status"] == "Created" == SessionStatus.CREATED

    uploaded = signing.upload(session["id"], pdf=pdf, name="contract.pdf")
    assert uploaded["session_id"] == session["id"]
    assert uploaded["name"] == "contract.pdf"
    assert uploaded["md5"] == md5_b64(pdf)

    started = signing.start(
        session["id"],
        {"files": [{"file_id": uploaded["file_id"], "placement": {"page": 1, "x": 60, "y": 80}}]},
    )
    assert SessionStatus(started["status"]) is SessionStatus.PENDING
    assert started["redirect_url"].startswith(sim.url)

    state = signing.status(session["id"])
    assert SessionStatus(state["status"]) is SessionStatus.PENDING and not state["is_terminal"]
    assert [f["id"] for f in state["input_files"]] == [uploaded["file_id"]]
    assert state["relay_state"] == "order-42"

    # The signer uses the hosted page, as a browser would.
    assert sim.sign_on_page(started["redirect_url"]) == 200
    seen: list[dict[str, Any]] = []
    done = signing.wait(session["id"], interval_ms=50, timeout_ms=10_000, on_progress=seen.append)
    assert SessionStatus(done["status"]) is SessionStatus.FINISHED and done["is_terminal"]
    assert seen and seen[-1] == done
    assert done["signer"] is not None and done["signer"]["name"] == "Aksel Herseth"
    assert len(done["signed_files"]) == 1
    signed = done["signed_files"][0]
    assert set(signed) == {"id", "name", "url", "mime_type", "md5", "md5_hex"}
    assert signed["name"] == "contract.pdf" and signed["mime_type"] == "application/pdf"

    data = signing.download(signed)
    assert isinstance(data, bytes)
    assert data.startswith(pdf) and len(data) > len(pdf)  # incremental update appended
    assert md5_b64(data) == signed["md5"]  # base64, as the gateway reports it
    assert signed["md5_hex"] == hashlib.md5(data).hexdigest()  # md5sum's form
    # A gateway that reports hex (upper case) is given in lower case; no md5, no hex.
    sim_hex = hashlib.md5(data).hexdigest().upper()
    assert signing.download({**signed, "md5": sim_hex}) == data
    bare: dict[str, Any] = {**signed, "md5": None}
    with pytest.raises(signbridge.IntegrityError):
        signing.download(bare)  # type: ignore[arg-type]

    target = tmp_path / "out" / "signed.pdf"
    target.parent.mkdir()
    assert signing.download_to(signed, target) == len(data)
    assert target.read_bytes() == data
    assert signing.download_to(signed, str(tmp_path / "as-str.pdf")) == len(data)

    original = signing.download_file(session["id"], uploaded["file_id"])
    assert original == pdf

    paths = signing.save_signed_files(session["id"], tmp_path / "signed")["paths"]
    assert [Path(p).name for p in paths] == ["contract.pdf"]
    assert all(isinstance(p, str) for p in paths)
    assert Path(paths[0]).read_bytes() == data


def test_multi_document_flow_with_every_input_kind(
    sim: Sim, signing: signbridge.ZignsecSigning, tmp_path: Path
) -> None:
    a, b, c, d = (sample_pdf(t, pages=2) for t in ("A", "B", "C", "D"))
    path_c = tmp_path / "c.pdf"
    path_c.write_bytes(c)
    path_d = tmp_path / "d.pdf"
    path_d.write_bytes(d)

    session = signing.create()
    ups = [
        signing.upload(session["id"], pdf=bytearray(a), name="a.pdf"),
        signing.upload(session["id"], pdf=memoryview(b), name="b.pdf"),
        signing.upload(session["id"], path=path_c),
        signing.upload(session["id"], path=str(path_d)),
    ]
    assert [u["name"] for u in ups] == ["a.pdf", "b.pdf", "c.pdf", "d.pdf"]
    started = signing.start(
        session["id"],
        {
            "files": [
                {"file_id": ups[0]["file_id"]},
                {"file_id": ups[1]["file_id"]},
                {"file_id": ups[2]["file_id"]},
                {"file_id": ups[3]["file_id"], "placement": {"page": 2, "x": 100.5, "y": 200}},
            ]
        },
    )
    sim.complete(session["id"], "11920287974")
    done = signing.wait(session["id"], interval_ms=50, timeout_ms=10_000)
    assert done["signer"] is not None and done["signer"]["name"] == "Ole Bramserud"
    assert [f["name"] for f in done["signed_files"]] == ["a.pdf", "b.pdf", "c.pdf", "d.pdf"]
    paths = signing.save_signed_files(session["id"], str(tmp_path / "signed"))["paths"]
    assert sorted(Path(p).name for p in paths) == ["a.pdf", "b.pdf", "c.pdf", "d.pdf"]
    for p, original in zip(paths, (a, b, c, d)):
        assert Path(p).read_bytes().startswith(original)
    assert started["redirect_url"].endswith(session["id"])


def test_sign_documents_in_one_call(
    sim: Sim, signing: signbridge.ZignsecSigning, tmp_path: Path
) -> None:
    path = tmp_path / "appendix.pdf"
    path.write_bytes(sample_pdf("Appendix"))
    doc: ZignsecDocument = {"path": str(path), "placement": {"page": 1, "x": 50, "y": 50}}
    started = signing.sign_documents(
        [{"data_base64": sample_pdf("Main"), "name": "main.pdf"}, doc, {"path": str(path)}],  # type: ignore[typeddict-item]
        create={"relay_state": "r"},
    )
    assert set(started) == {"id", "redirect_url", "files"}
    assert [f["name"] for f in started["files"]] == ["main.pdf", "appendix.pdf", "appendix.pdf"]
    sim.sign_on_page(started["redirect_url"])
    signing.wait(started["id"], interval_ms=50, timeout_ms=10_000)
    paths = signing.save_signed_files(started["id"], tmp_path / "out")["paths"]
    # Clashing names are made unique by the core.
    assert sorted(Path(p).name for p in paths) == ["appendix-2.pdf", "appendix.pdf", "main.pdf"]
    # A placement off the page is refused before anything is sent.
    with pytest.raises(signbridge.InvalidInput, match="page"):
        signing.sign_documents([{"path": str(path), "placement": {"page": 9, "x": 1, "y": 1}}])


def test_cancel_on_the_hosted_page(
    sim: Sim, signing: signbridge.ZignsecSigning, pending: ZignsecSignDocumentsResult
) -> None:
    sim.sign_on_page(pending["redirect_url"], action="cancel")
    with pytest.raises(signbridge.SessionCancelled) as info:
        signing.wait(pending["id"], interval_ms=50, timeout_ms=10_000)
    e = info.value
    assert isinstance(e, signbridge.SessionError) and isinstance(e, signbridge.SignbridgeError)
    assert e.code is signbridge.ErrorCode.SB_ERR_CANCELLED and e.name == "SB_ERR_CANCELLED"
    assert e.provider_code == "CANCELLED_BY_USER"
    assert e.http_status == 410
    state = signing.status(pending["id"])
    assert SessionStatus(state["status"]) is SessionStatus.CANCELLED
    assert state["errors"][0]["code"] == "CANCELLED_BY_USER"
    with pytest.raises(signbridge.InvalidState) as info2:
        signing.save_signed_files(pending["id"], "never-created")
    assert info2.value.code is signbridge.ErrorCode.SB_ERR_INVALID_STATE


@pytest.mark.parametrize(
    "action, exc, code",
    [
        ("cancel", signbridge.SessionCancelled, "SB_ERR_CANCELLED"),
        ("fail", signbridge.SigningFailed, "SB_ERR_SIGNING_FAILED"),
        ("expire", signbridge.SessionExpired, "SB_ERR_SESSION_EXPIRED"),
    ],
)
def test_unsuccessful_outcomes(
    sim: Sim,
    signing: signbridge.ZignsecSigning,
    pending: ZignsecSignDocumentsResult,
    action: str,
    exc: type[signbridge.SessionError],
    code: str,
) -> None:
    sim.call("POST", f"/_sim/zignsec/signing/{pending['id']}/{action}")
    with pytest.raises(exc) as info:
        signing.wait(pending["id"], interval_ms=50, timeout_ms=10_000)
    assert info.value.name == code
    assert not info.value.retryable


def test_key_rotation_keeps_calls_working_and_is_logged(
    sim: Sim, caplog: pytest.LogCaptureFixture, pdf: bytes
) -> None:
    caplog.set_level(logging.DEBUG, logger="signbridge")
    with signbridge.Client(config(sim)) as client:
        signing = client.zignsec_signing()
        first = signing.create()
        sim.call("POST", "/_sim/zignsec/keys/revoke", {"key": PRIMARY_KEY})
        sim.call("DELETE", "/_sim/requests")
        # Still works: the primary is refused once, the secondary is kept from then on.
        second = signing.create()
        assert signing.status(first["id"])["id"] == first["id"]
        assert SessionStatus(signing.status(second["id"])["status"]) is SessionStatus.CREATED
        paths = [r["path"] for r in sim.requests()]
        # create (refused) + create (secondary) + two status calls with the secondary only.
        assert len(paths) == 4, paths
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("signbridge")]
    assert any("rotated" in m for m in messages), messages
    assert any(r.levelno == logging.INFO for r in caplog.records)
    for m in messages:
        assert PRIMARY_KEY not in m and SECONDARY_KEY not in m


def test_logging_is_quiet_by_default_and_never_shows_keys(
    sim: Sim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="signbridge")
    # A 503 then success: the transport retries and logs it.
    sim.fault(kind="status", status=503, method="GET", count=1)
    with signbridge.Client(config(sim)) as client:
        signing = client.zignsec_signing()
        s = signing.create()
        signing.status(s["id"])
    retry = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert retry and retry[0].levelno == logging.DEBUG
    assert retry[0].name.startswith("signbridge.")
    for r in caplog.records:
        assert PRIMARY_KEY not in r.getMessage()


def test_context_manager_closes(sim: Sim) -> None:
    with signbridge.Client(**config(sim)) as client:
        signing = client.zignsec_signing()
        signing.create()
        assert not client.closed
    assert client.closed
    with pytest.raises(signbridge.InvalidInput, match="closed"):
        signing.create()
    client.close()  # twice is fine


def test_complete_redirect_like_the_eid_helper(sim: Sim, signing: signbridge.ZignsecSigning) -> None:
    """Seed 002/001: the signer's return to the redirect URL, handled by the core in every
    language."""
    started = signing.sign_documents(
        [{"data_base64": sample_pdf("Main"), "name": "main.pdf"}],  # type: ignore[typeddict-item]
        create={"relay_state": "r-1"},
    )
    sim.call("POST", f"/_sim/zignsec/signing/{started['id']}/complete")
    back = f"https://app.example/ok?relay_state=r-1&session_id={started['id']}"
    with pytest.raises(signbridge.InvalidInput):
        signing.complete_redirect(started["id"], back, expected_relay_state="someone-else")
    done = signing.complete_redirect(started["id"], back, expected_relay_state="r-1")
    assert SessionStatus(done["status"]) is SessionStatus.FINISHED
    assert len(done["signed_files"]) == 1
    with pytest.raises(signbridge.SessionCancelled) as info:
        signing.complete_redirect(
            started["id"],
            "?error=access_denied&error_description=User+left&relay_state=r-1",
            expected_relay_state="r-1",
        )
    assert info.value.provider_code == "access_denied"
    assert "the signer cancelled the signing" in str(info.value)
