"""The provider-neutral signing session through the Python API: one flow function runs against
ZignSec and OneSpan with only the configuration differing; provider choice, several signers in
order, decline, cancel, results read later, and bad input."""
# The bad-argument cases pass wrong types on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, list-item"

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

import signbridge
from signbridge import (
    ErrorCode,
    Provider,
    SessionDocument,
    SessionSigner,
    SessionStatus,
    SignatureField,
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


def signer_signs(sim: Sim, started: signbridge.StartedSigningSession, index: int = 0) -> None:
    """What the signer does in the browser at their link; the simulator's control API does it."""
    link = started.signers[index]
    if started.provider is Provider.ZIGNSEC:
        sim.complete(started.provider_id, "06046517928")
    else:
        sim.onespan_sign(started.provider_id, link.signer_id)


def sign_a_contract(
    client: signbridge.Client, sim: Sim, out: Path
) -> tuple[signbridge.CompletedSession, list[Path]]:
    """The application's code: identical for every provider."""
    signing = client.signing()
    started = signing.start(
        [SessionDocument(CONTRACT, "contract.pdf", fields=[SignatureField(1, 60, 650)])],
        [SessionSigner("Kari", "Nordmann", email="kari@example.com")],
        title=f"Contract {uuid.uuid4().hex[:6]}",
    )
    assert started.id == f"{started.provider.value}:{started.provider_id}"
    [link] = started.signers
    assert link.signer_id == "signer1" and link.name == "Kari Nordmann"
    assert link.url.startswith("http")
    state = signing.status(started.id)
    assert state.status is SessionStatus.PENDING and not state.is_terminal
    assert [s.signed for s in state.signers] == [False]

    signer_signs(sim, started)
    seen: list[SessionStatus] = []
    done = signing.wait(started.id, interval=0.1, timeout=30,
                        on_progress=lambda s: seen.append(s.status))
    assert seen[-1] is SessionStatus.FINISHED
    assert done.id == started.id and len(done.files) == 1
    return done, signing.save_all(done, out)


@pytest.mark.parametrize("provider", sorted(CONFIGS))
def test_the_same_flow_signs_with_either_provider(
    sim: Sim, provider: str, tmp_path: Path
) -> None:
    with signbridge.Client(CONFIGS[provider](sim)) as client:
        assert client.signing().provider is Provider(provider)
        done, paths = sign_a_contract(client, sim, tmp_path)
        assert done.provider is Provider(provider)
        [path] = paths
        assert path.parent == tmp_path and path.suffix == ".pdf"
        signed = path.read_bytes()
        # Both simulators sign as an incremental update: the original is an exact prefix.
        assert signed.startswith(CONTRACT[:-10]) and len(signed) > len(CONTRACT)
        assert client.signing().download(done, done.files[0]) == signed
        # The outcome can be read again later, from the id alone.
        again = client.signing().result(done.id)
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
        assert done.provider is Provider.ONESPAN
        # A session of the other provider is found by its id through the same service.
        zs = client.signing("zignsec").start(
            [str(write_pdf(tmp_path / "z.pdf"))], [SessionSigner("Kari", "Nordmann")]
        )
        assert client.signing().status(zs.id).provider is Provider.ZIGNSEC

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
            [SessionDocument.from_path(write_pdf(tmp_path / "deal.pdf"), fields=[
                SignatureField(1, 60, 600, signer="seller"),
                SignatureField(1, 60, 680, signer=1, width=180, height=40),
            ])],
            [SessionSigner("Sam", "Seller", email="sam@example.com", id="seller"),
             SessionSigner("Bo", "Buyer", email="bo@example.com", id="buyer")],
            onespan={"description": "two signers", "email_message": "Please sign"},
        )
        assert [s.signer_id for s in started.signers] == ["seller", "buyer"]
        assert len({s.url for s in started.signers}) == 2

        # The buyer cannot sign before the seller.
        with pytest.raises(Exception) as early:
            sim.onespan_sign(started.provider_id, "buyer")
        assert "400" in str(early.value)

        sim.onespan_sign(started.provider_id, "seller")
        state = signing.status(started)
        assert state.status is SessionStatus.PENDING
        assert [(s.signer_id, s.signed) for s in state.signers] == [
            ("seller", True), ("buyer", False)]

        sim.onespan_sign(started.provider_id, "buyer")
        done = signing.wait(started, interval=0.1, timeout=30)
        [path] = signing.save_all(done, tmp_path / "signed")
        assert path.name == "deal.pdf"
        assert [(s.signer_id, s.signed) for s in signing.status(done).signers] == [
            ("seller", True), ("buyer", True)]


def test_a_declined_session_raises_rejected_with_the_reason(sim: Sim) -> None:
    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start(
            [SessionDocument(CONTRACT, "offer.pdf")],
            [SessionSigner("Ann", "Smith", email="ann@example.com")],
        )
        sim.onespan_decline(started.provider_id, "signer1", "the amount is wrong")
        with pytest.raises(signbridge.SessionRejected) as info:
            signing.wait(started.id, interval=0.1, timeout=30)
        e = info.value
        assert e.code is ErrorCode.SB_ERR_REJECTED and not e.retryable
        assert "the amount is wrong" in e.message
        assert e.provider_description == "the amount is wrong"
        assert e.provider_code == "DECLINED"
        with pytest.raises(signbridge.SessionRejected):
            signing.result(started.id)
        assert signing.status(started.id).status is SessionStatus.REJECTED


def test_zignsec_cancel_by_the_signer_and_onespan_cancel_by_the_sender(sim: Sim) -> None:
    with signbridge.Client(zignsec_config(sim)) as client:
        signing = client.signing()
        started = signing.start([SessionDocument(CONTRACT, "a.pdf")],
                                [SessionSigner("Kari", "Nordmann")])
        with pytest.raises(signbridge.InvalidInput) as no_cancel:
            signing.cancel(started.id)
        assert "no call to cancel" in no_cancel.value.message
        sim.call("POST", f"/_sim/zignsec/signing/{started.provider_id}/cancel")
        with pytest.raises(signbridge.SessionCancelled):
            signing.wait(started.id, interval=0.1, timeout=30)

    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start([SessionDocument(CONTRACT, "a.pdf")],
                                [SessionSigner("Ann", "Smith", email="ann@example.com")])
        signing.cancel(started)
        with pytest.raises(signbridge.SessionCancelled) as info:
            signing.wait(started, interval=0.1, timeout=30)
        assert info.value.code is ErrorCode.SB_ERR_CANCELLED
        assert client.onespan().get_package(started.provider_id)["trashed"]


def test_wait_runs_beside_other_threads(sim: Sim) -> None:
    """While one thread waits, another starts sessions and signs: the GIL is released."""
    with signbridge.Client(onespan_config(sim)) as client:
        signing = client.signing()
        started = signing.start([SessionDocument(CONTRACT, "a.pdf")],
                                [SessionSigner("Ann", "Smith", email="ann@example.com")])
        polled = threading.Event()
        failures: list[BaseException] = []

        def sign_later() -> None:
            try:
                assert polled.wait(timeout=30)
                other = signing.start([SessionDocument(CONTRACT, "b.pdf")],
                                      [SessionSigner("Bo", "B", email="bo@example.com")])
                assert signing.status(other.id).status is SessionStatus.PENDING
                sim.onespan_sign(started.provider_id, "signer1")
            except BaseException as e:  # noqa: BLE001
                failures.append(e)

        t = threading.Thread(target=sign_later)
        t.start()
        done = signing.wait(started, interval=0.1, timeout=60,
                            on_progress=lambda s: polled.set())
        t.join(timeout=30)
        assert not failures, failures
        assert done.files


def test_bad_sessions_are_refused_before_sending(sim: Sim, tmp_path: Path) -> None:
    sim.call("DELETE", "/_sim/requests")
    signer = SessionSigner("Kari", "Nordmann", email="kari@example.com")
    doc = SessionDocument(CONTRACT, "a.pdf")
    with signbridge.Client(zignsec_config(sim)) as zc, \
            signbridge.Client(onespan_config(sim)) as oc:
        zs, os_ = zc.signing(), oc.signing()
        cases: list[tuple[Callable[[], object], ErrorCode, str]] = [
            (lambda: zs.start([], [signer]), ErrorCode.SB_ERR_INVALID_ARGUMENT, "no documents"),
            (lambda: zs.start([doc], []), ErrorCode.SB_ERR_INVALID_ARGUMENT, "no signers"),
            (lambda: zs.start([doc], [signer, signer]), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "one signer"),
            (lambda: zs.start([SessionDocument(b"not a pdf", "a.pdf")], [signer]),
             ErrorCode.SB_ERR_INVALID_DOCUMENT, "a.pdf"),
            (lambda: zs.start([tmp_path / "missing.pdf"], [signer]), ErrorCode.SB_ERR_IO,
             "missing.pdf"),
            (lambda: os_.start([doc], [SessionSigner("No", "Mail")]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "email"),
            (lambda: os_.start([SessionDocument(CONTRACT, "a.pdf", fields=[
                SignatureField(1, 1, 1, signer="nobody")])], [signer]),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "nobody"),
            (lambda: os_.start([doc], [signer], onespan={"colour": "red"}),
             ErrorCode.SB_ERR_INVALID_ARGUMENT, "colour"),
            (lambda: zs.status("no-provider-prefix"), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "provider"),
            (lambda: zs.status("docusign:abc"), ErrorCode.SB_ERR_INVALID_ARGUMENT, "docusign"),
            (lambda: zs.download("zignsec:abc", " "), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "document_id"),
            (lambda: zs.wait("zignsec:abc", interval=0.001), ErrorCode.SB_ERR_INVALID_ARGUMENT,
             "interval"),
        ]
        for i, (call, code, words) in enumerate(cases):
            with pytest.raises(signbridge.SignbridgeError) as info:
                call()
            assert info.value.code is code, (i, info.value)
            assert words in info.value.message, (i, info.value.message)
        assert sim.requests() == [], "nothing may be sent"

        with pytest.raises(signbridge.NotFound):
            os_.status("onespan:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")

        bad: list[tuple[int, object]] = []
        type_cases: list[tuple[Callable[[], object], type[BaseException]]] = [
            (lambda: zs.start("a.pdf", [signer]), TypeError),
            (lambda: zs.start([doc], signer), TypeError),
            (lambda: zs.start([5], [signer]), TypeError),
            (lambda: zs.start([doc], ["Kari"]), TypeError),
            (lambda: zs.start([doc], [signer], zignsec=[1]), TypeError),
            (lambda: zs.status(5), TypeError),
            (lambda: zs.save_all("zignsec:abc", tmp_path), TypeError),
            (lambda: zs.download("zignsec:abc", 5), TypeError),
            (lambda: SessionDocument("text", "a.pdf"), TypeError),
            (lambda: SessionDocument(CONTRACT, "a.pdf", fields=SignatureField(1, 1, 1)),
             TypeError),
            (lambda: SignatureField(0 - 1, 1, 1), ValueError),
            (lambda: SignatureField(1, 1, 1, signer=-1), ValueError),
            (lambda: SignatureField(1, 1, 1, signer=1.5), TypeError),
            (lambda: zc.signing(5), TypeError),
        ]
        for i, (call, expected) in enumerate(type_cases):
            try:
                call()
            except expected as e:
                assert str(e) and not isinstance(e, signbridge.SignbridgeError), (i, e)
            except BaseException as e:  # noqa: BLE001
                bad.append((i, e))
            else:
                bad.append((i, "no error"))
        assert not bad, bad


def test_request_objects_read_back() -> None:
    f = SignatureField(2, 10.5, 20, width=100, signer="buyer")
    assert (f.page, f.left, f.top, f.width, f.height, f.signer) == (2, 10.5, 20.0, 100, 50, "buyer")
    assert SignatureField(1, 0, 0).signer == 0
    d = SessionDocument.from_path(Path("x/contract.pdf"), fields=[f])
    assert d.path == Path("x/contract.pdf") and d.data is None and d.fields == [f]
    assert SessionDocument(b"%PDF-", "a.pdf").data == b"%PDF-"
    s = SessionSigner("Kari", "Nordmann", email="k@example.com", id="k")
    assert (s.full_name, s.email, s.id) == ("Kari Nordmann", "k@example.com", "k")
    assert "k@example.com" not in repr(s)


CTRL_C_SCRIPT = """
import sys, signbridge
from signbridge import SessionDocument, SessionSigner
cfg = {"onespan": {"base_url": sys.argv[1], "api_key": sys.argv[2]}}
with signbridge.Client(cfg) as client:
    signing = client.signing()
    started = signing.start([SessionDocument(open(sys.argv[3], "rb").read(), "a.pdf")],
                            [SessionSigner("Ann", "Smith", email="ann@example.com")])
    print("waiting", flush=True)
    signing.wait(started.id)  # OneSpan's slow, growing poll interval; no timeout
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
