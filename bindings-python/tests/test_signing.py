"""The provider-neutral signing session through the Python API: one flow function runs against
ZignSec and OneSpan with only the configuration differing; provider choice, several signers in
order, decline, cancel, results read later, and bad input."""
# The bad-argument cases pass wrong types on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, list-item"

from __future__ import annotations

import base64
import threading
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

import signbridge
from signbridge import ErrorCode, Provider, SessionStatus
from signbridge.call_types import (
    SessionDocument,
    SessionSigner,
    SignatureField,
    SigningStartResult,
    SigningWaitResult,
)

from conftest import PRIMARY_KEY, Sim, onespan_config, sample_pdf, sigint_default

CONTRACT = sample_pdf("Contract", pages=2)


def zignsec_config(sim: Sim) -> dict[str, Any]:
    return {"zignsec": {"base_url": sim.url, "keys": [PRIMARY_KEY]},
            "transport": {"backoff_base_ms": 20}}


CONFIGS: dict[str, Callable[[Sim], dict[str, Any]]] = {
    "zignsec": zignsec_config,
    "onespan": onespan_config,
}


def signer(first: str, last: str, **more: str) -> SessionSigner:
    """A session's signer (a dict typed by call_types)."""
    return {"first_name": first, "last_name": last, **more}  # type: ignore[typeddict-item]


def document(data: bytes, name: str, fields: list[SignatureField] | None = None) -> SessionDocument:
    """A session's PDF from memory."""
    d: SessionDocument = {"data_base64": data, "name": name}  # type: ignore[typeddict-item]
    if fields is not None:
        d["fields"] = fields
    return d


def field(page: int, left: float, top: float, **more: Any) -> SignatureField:
    """Where a signature goes."""
    return {"page": page, "left": left, "top": top, **more}  # type: ignore[typeddict-item]


def provider_id(session: str) -> str:
    """The provider's own id: the part of a session reference after `provider:`."""
    return session.split(":", 1)[1]


def signer_signs(sim: Sim, started: SigningStartResult, index: int = 0) -> None:
    """What the signer does in the browser at their link; the simulator's control API does it."""
    link = started["signers"][index]
    if Provider(started["provider"]) is Provider.ZIGNSEC:
        sim.complete(provider_id(started["id"]), "06046517928")
    else:
        sim.onespan_sign(provider_id(started["id"]), link["signer_id"])


def sign_a_contract(
    client: signbridge.Client, sim: Sim, out: Path
) -> tuple[SigningWaitResult, list[Path]]:
    """The application's code: identical for every provider."""
    signing = client.signing()
    started = signing.start(
        documents=[document(CONTRACT, "contract.pdf", fields=[field(1, 60, 650)])],
        signers=[signer("Kari", "Nordmann", email="kari@example.com")],
        title=f"Contract {uuid.uuid4().hex[:6]}",
    )
    assert started["id"] == f"{started['provider']}:{provider_id(started['id'])}"
    [link] = started["signers"]
    assert link["signer_id"] == "signer1" and link["name"] == "Kari Nordmann"
    assert link["url"].startswith("http")
    state = signing.status(started["id"])
    assert SessionStatus(state["status"]) is SessionStatus.PENDING and not state["is_terminal"]
    assert state["provider_id"] == provider_id(started["id"])
    assert [s["signed"] for s in state["signers"]] == [False]

    signer_signs(sim, started)
    seen: list[SessionStatus] = []
    done = signing.wait(started["id"], interval_ms=100, timeout_ms=30_000,
                        on_progress=lambda s: seen.append(SessionStatus(s["status"])))
    assert seen[-1] is SessionStatus.FINISHED
    assert done["id"] == started["id"] and len(done["files"]) == 1
    return done, [Path(p) for p in signing.save_all(done["id"], str(out))["paths"]]


@pytest.mark.parametrize("provider", sorted(CONFIGS))
def test_the_same_flow_signs_with_either_provider(
    sim: Sim, provider: str, tmp_path: Path
) -> None:
    with signbridge.Client(CONFIGS[provider](sim)) as client:
        assert client.signing().provider is Provider(provider)
        done, paths = sign_a_contract(client, sim, tmp_path)
        assert done["id"].startswith(f"{Provider(provider).value}:")
        [path] = paths
        assert path.parent == tmp_path and path.suffix == ".pdf"
        signed = path.read_bytes()
        # Both simulators sign as an incremental update: the original is an exact prefix.
        assert signed.startswith(CONTRACT[:-10]) and len(signed) > len(CONTRACT)
        downloaded = client.signing().download(done["id"], done["files"][0]["document_id"])
        assert base64.b64decode(downloaded["pdf_base64"]) == signed
        # The outcome can be read again later, from the id alone.
        again = client.signing().result(done["id"])
        assert again == done


def test_the_configuration_chooses_when_both_are_configured(sim: Sim, tmp_path: Path) -> None:
    both = {**zignsec_config(sim), **onespan_config(sim)}
    with pytest.raises(signbridge.InvalidInput) as info:
        signbridge.Client(both).signing()
    assert info.value.code is ErrorCode.SB_ERR_INVALID_CONFIG
    assert "signing" in info.value.message

    with signbridge.Client({**both, "signing": {"provider": "onespan"}}) as client:
        assert client.signing().provider is Provider.ONESPAN
        assert client.signing(Provider.ZIGNSEC).provider is Provider.ZIGNSEC
        done, _ = sign_a_contract(client, sim, tmp_path / "onespan")
        assert done["id"].startswith("onespan:")
        # A session of the other provider is found by its id through the same service.
        zs = client.signing("zignsec").start(
            documents=[{"path": str(write_pdf(tmp_path / "z.pdf"))}],
            signers=[signer("Kari", "Nordmann")],
        )
        assert Provider(zs["provider"]) is Provider.ZIGNSEC
        assert client.signing().status(zs["id"])["id"].startswith("zignsec:")
        # A provider given to start() wins over the facade's.
        other = client.signing().start(
            documents=[{"path": str(tmp_path / "z.pdf")}],
            signers=[signer("Kari", "Nordmann")], provider=Provider.ZIGNSEC,
        )
        assert other["provider"] == "zignsec"

    only_zignsec = signbridge.Client(zignsec_config(sim))
    with pytest.raises(signbridge.AuthError) as missing:
        only_zignsec.signing("onespan")
    assert missing.value.code is ErrorCode.SB_ERR_AUTH_CONFIG_MISSING
    assert "onespan" in missing.value.message
    with pytest.raises(signbridge.InvalidInput):
        only_zignsec.signing("docusign")


def write_pdf(path: Path) -> Path:
    path.write_bytes(CONTRACT)
    return path


def test_onespan_two_signers_sign_in_order(sim: Sim, tmp_path: Path) -> None:
    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start(
            documents=[{"path": str(write_pdf(tmp_path / "deal.pdf")), "fields": [
                field(1, 60, 600, signer="seller"),
                field(1, 60, 680, signer=1, width=180, height=40),
            ]}],
            signers=[signer("Sam", "Seller", email="sam@example.com", id="seller"),
                     signer("Bo", "Buyer", email="bo@example.com", id="buyer")],
            onespan={"description": "two signers", "email_message": "Please sign"},
        )
        assert [s["signer_id"] for s in started["signers"]] == ["seller", "buyer"]
        assert len({s["url"] for s in started["signers"]}) == 2

        # The buyer cannot sign before the seller.
        with pytest.raises(Exception) as early:
            sim.onespan_sign(provider_id(started["id"]), "buyer")
        assert "400" in str(early.value)

        sim.onespan_sign(provider_id(started["id"]), "seller")
        state = signing.status(started["id"])
        assert SessionStatus(state["status"]) is SessionStatus.PENDING
        assert [(s["signer_id"], s["signed"]) for s in state["signers"]] == [
            ("seller", True), ("buyer", False)]

        sim.onespan_sign(provider_id(started["id"]), "buyer")
        done = signing.wait(started["id"], interval_ms=100, timeout_ms=30_000)
        [path] = signing.save_all(done["id"], str(tmp_path / "signed"))["paths"]
        assert Path(path).name == "deal.pdf"
        assert [(s["signer_id"], s["signed"]) for s in signing.status(done["id"])["signers"]] == [
            ("seller", True), ("buyer", True)]


def test_a_declined_session_raises_rejected_with_the_reason(sim: Sim) -> None:
    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start(
            documents=[document(CONTRACT, "offer.pdf")],
            signers=[signer("Ann", "Smith", email="ann@example.com")],
        )
        sim.onespan_decline(provider_id(started["id"]), "signer1", "the amount is wrong")
        with pytest.raises(signbridge.SessionRejected) as info:
            signing.wait(started["id"], interval_ms=100, timeout_ms=30_000)
        e = info.value
        assert e.code is ErrorCode.SB_ERR_REJECTED and not e.retryable
        assert "the amount is wrong" in e.message
        assert e.provider_description == "the amount is wrong"
        assert e.provider_code == "DECLINED"
        with pytest.raises(signbridge.SessionRejected):
            signing.result(started["id"])
        assert SessionStatus(signing.status(started["id"])["status"]) is SessionStatus.REJECTED


def test_zignsec_cancel_by_the_signer_and_onespan_cancel_by_the_sender(sim: Sim) -> None:
    with signbridge.Client(zignsec_config(sim)) as client:
        signing = client.signing()
        started = signing.start(documents=[document(CONTRACT, "a.pdf")],
                                signers=[signer("Kari", "Nordmann")])
        with pytest.raises(signbridge.InvalidInput) as no_cancel:
            signing.cancel(started["id"])
        assert "no call to cancel" in no_cancel.value.message
        sim.call("POST", f"/_sim/zignsec/signing/{provider_id(started['id'])}/cancel")
        with pytest.raises(signbridge.SessionCancelled):
            signing.wait(started["id"], interval_ms=100, timeout_ms=30_000)

    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start(documents=[document(CONTRACT, "a.pdf")],
                                signers=[signer("Ann", "Smith", email="ann@example.com")])
        signing.cancel(started["id"])
        with pytest.raises(signbridge.SessionCancelled) as info:
            signing.wait(started["id"], interval_ms=100, timeout_ms=30_000)
        assert info.value.code is ErrorCode.SB_ERR_CANCELLED
        assert client.onespan().get_package(provider_id(started["id"]))["trashed"]


def test_wait_runs_beside_other_threads(sim: Sim) -> None:
    """While one thread waits, another starts sessions and signs: the GIL is released."""
    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start(documents=[document(CONTRACT, "a.pdf")],
                                signers=[signer("Ann", "Smith", email="ann@example.com")])
        polled = threading.Event()
        failures: list[BaseException] = []

        def sign_later() -> None:
            try:
                assert polled.wait(timeout=30)
                other = signing.start(documents=[document(CONTRACT, "b.pdf")],
                                      signers=[signer("Bo", "B", email="bo@example.com")])
                status = signing.status(other["id"])["status"]
                assert SessionStatus(status) is SessionStatus.PENDING
                sim.onespan_sign(provider_id(started["id"]), "signer1")
            except BaseException as e:  # noqa: BLE001
                failures.append(e)

        t = threading.Thread(target=sign_later)
        t.start()
        done = signing.wait(started["id"], interval_ms=100, timeout_ms=60_000,
                            on_progress=lambda s: polled.set())
        t.join(timeout=30)
        assert not failures, failures
        assert done["files"]


def test_bad_sessions_are_refused_before_sending(sim: Sim, tmp_path: Path) -> None:
    sim.call("DELETE", "/_sim/requests")
    kari = signer("Kari", "Nordmann", email="kari@example.com")
    doc = document(CONTRACT, "a.pdf")
    with signbridge.Client(zignsec_config(sim)) as zc, \
            signbridge.Client(onespan_config(sim)) as oc:
        zs, os_ = zc.signing(), oc.signing()
        cases: list[tuple[Callable[[], object], ErrorCode, str]] = [
            (lambda: zs.start(documents=[], signers=[kari]), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "no documents"),
            (lambda: zs.start(documents=[doc], signers=[]), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "no signers"),
            (lambda: zs.start(documents=[doc], signers=[kari, kari]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "one signer"),
            (lambda: zs.start(documents=[document(b"not a pdf", "a.pdf")], signers=[kari]),
             ErrorCode.SB_ERR_INVALID_DOCUMENT, "a.pdf"),
            (lambda: zs.start(documents=[{"path": str(tmp_path / "missing.pdf")}],
                              signers=[kari]), ErrorCode.SB_ERR_IO, "missing.pdf"),
            (lambda: os_.start(documents=[doc], signers=[signer("No", "Mail")]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "email"),
            (lambda: os_.start(documents=[document(CONTRACT, "a.pdf", fields=[
                field(1, 1, 1, signer="nobody")])], signers=[kari]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "nobody"),
            (lambda: os_.start(documents=[doc], signers=[kari], onespan={"colour": "red"}),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "colour"),
            (lambda: zs.status("no-provider-prefix"), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "provider"),
            # The core's request errors show no request values: the provider is not repeated.
            (lambda: zs.status("docusign:abc"), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "unknown provider"),
            (lambda: zs.download("zignsec:abc", " "), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "document_id"),
            (lambda: zs.wait("zignsec:abc", interval_ms=1), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "interval"),
            # Wrong types are the core's bad request, naming the request path.
            (lambda: zs.start(documents="a.pdf", signers=[kari]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "documents"),
            (lambda: zs.start(documents=[doc], signers=kari), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "signers"),
            (lambda: zs.start(documents=[5], signers=[kari]), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "documents"),
            (lambda: zs.start(documents=[doc], signers=["Kari"]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "signers"),
            (lambda: zs.start(documents=[doc], signers=[kari], zignsec=[1]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "zignsec"),
            (lambda: zs.status(5), ErrorCode.SB_ERR_INVALID_ARGUMENT, "session"),
            (lambda: zs.save_all("zignsec:abc", 5), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "dir"),
            (lambda: zs.download("zignsec:abc", 5), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "document_id"),
            (lambda: zs.start(documents=[{"data_base64": "not base64!", "name": "a.pdf"}], signers=[kari]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "documents"),
            (lambda: zs.start(documents=[document(CONTRACT, "a.pdf", fields=field(1, 1, 1))],
                              signers=[kari]), ErrorCode.SB_ERR_INVALID_ARGUMENT, "fields"),
            (lambda: zs.start(documents=[document(CONTRACT, "a.pdf", fields=[field(-1, 1, 1)])],
                              signers=[kari]), ErrorCode.SB_ERR_INVALID_ARGUMENT, "page"),
            (lambda: zs.start(documents=[document(CONTRACT, "a.pdf", fields=[
                field(1, 1, 1, signer=-1)])], signers=[kari]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "signer"),
            (lambda: zs.start(documents=[document(CONTRACT, "a.pdf", fields=[
                field(1, 1, 1, signer=1.5)])], signers=[kari]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "signer"),
        ]
        for i, (call, code, words) in enumerate(cases):
            with pytest.raises(signbridge.SignbridgeError) as info:
                call()
            assert info.value.code is code, (i, info.value)
            assert words in info.value.message, (i, info.value.message)
        assert sim.requests() == [], "nothing may be sent"

        with pytest.raises(signbridge.NotFound):
            os_.status("onespan:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")

        # The accessor's own argument is Python's.
        with pytest.raises(TypeError) as info2:
            zc.signing(5)  # type: ignore[arg-type]
        assert str(info2.value) and not isinstance(info2.value, signbridge.SignbridgeError)


def test_request_dicts_are_the_call_types() -> None:
    f = field(2, 10.5, 20, width=100, signer="buyer")
    assert (f["page"], f["left"], f["top"], f.get("width"), f.get("signer")) == (
        2, 10.5, 20, 100, "buyer")
    d: SessionDocument = {"path": "x/contract.pdf", "fields": [f]}
    assert d["path"] == "x/contract.pdf" and "data_base64" not in d and d["fields"] == [f]
    assert document(b"%PDF-", "a.pdf")["data_base64"] == b"%PDF-"
    s = signer("Kari", "Nordmann", email="k@example.com", id="k")
    assert (s["first_name"], s.get("email"), s.get("id")) == ("Kari", "k@example.com", "k")


CTRL_C_SCRIPT = """
import sys, signbridge
cfg = {"onespan": {"base_url": sys.argv[1], "api_key": sys.argv[2]}}
with signbridge.Client(cfg) as client:
    signing = client.signing()
    started = signing.start(
        documents=[{"data_base64": open(sys.argv[3], "rb").read(), "name": "a.pdf"}],
        signers=[{"first_name": "Ann", "last_name": "Smith", "email": "ann@example.com"}])
    print("waiting", flush=True)
    signing.wait(started["id"])  # OneSpan's slow, growing poll interval; no timeout
    print("wait returned", flush=True)
"""


def test_ctrl_c_interrupts_a_onespan_wait(sim: Sim, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from conftest import ONESPAN_API_KEY

    pdf = write_pdf(tmp_path / "a.pdf")
    proc = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_SCRIPT, sim.url, ONESPAN_API_KEY, str(pdf)],
        preexec_fn=sigint_default,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "waiting"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)  # the 5 s poll delay does not hold it up
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "KeyboardInterrupt" in err, err
    assert "wait returned" not in out and proc.returncode != 0
