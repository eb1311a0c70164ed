"""The error table, one error of each class, and bad arguments."""
# The bad-argument cases pass wrong types on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, list-item, dict-item, typeddict-item"

from __future__ import annotations

import enum
from pathlib import Path

import pytest

import signbridge
from signbridge.call_types import ZignsecSignDocumentsResult
from signbridge import ErrorCode, errors

from conftest import Sim, config, sample_pdf

# The ranges of DESIGN.md principle 4 and the class each range maps to.
RANGE_CLASS = {
    1: signbridge.InvalidInput,
    2: signbridge.AuthError,
    3: signbridge.TransportError,
    4: signbridge.ProviderError,
    5: signbridge.SessionError,
    9: signbridge.InternalError,
}


def test_error_code_enum_equals_the_core_table() -> None:
    table = errors.error_codes()
    assert issubclass(ErrorCode, enum.IntEnum)
    assert [(m.name, m.value) for m in ErrorCode] == [(n, v) for n, v, _, _ in table]
    assert len(table) == len({n for n, _, _, _ in table}) == len({v for _, v, _, _ in table})
    names = {n: v for n, v, _, _ in table}
    # Spot checks of the stable numbers (the ABI every binding shares).
    assert names["SB_OK"] == 0
    assert names["SB_ERR_AUTH"] == 200
    assert names["SB_ERR_RATE_LIMITED"] == 402
    assert names["SB_ERR_CANCELLED"] == 500
    assert names["SB_ERR_PANIC"] == 901
    for name, value, retryable, message in table:
        assert ErrorCode[name] == value
        assert isinstance(retryable, bool) and message
        assert value == 0 or value // 100 in RANGE_CLASS


def test_exception_hierarchy() -> None:
    assert issubclass(signbridge.SignbridgeError, Exception)
    for cls in RANGE_CLASS.values():
        assert issubclass(cls, signbridge.SignbridgeError)
    pairs = [
        (signbridge.InvalidDocument, signbridge.InvalidInput),
        (signbridge.TimedOut, signbridge.TransportError),
        (signbridge.IntegrityError, signbridge.TransportError),
        (signbridge.OutcomeUnknown, signbridge.TransportError),
        (signbridge.WebhookInvalid, signbridge.AuthError),
        (signbridge.WebhookReplay, signbridge.AuthError),
        (signbridge.NotFound, signbridge.ProviderError),
        (signbridge.RateLimited, signbridge.ProviderError),
        (signbridge.SessionCancelled, signbridge.SessionError),
        (signbridge.SessionRejected, signbridge.SessionError),
        (signbridge.SessionExpired, signbridge.SessionError),
        (signbridge.SigningFailed, signbridge.SessionError),
        (signbridge.Aborted, signbridge.SessionError),
    ]
    for sub, base in pairs:
        assert issubclass(sub, base)
    assert signbridge.AuthError.__module__ == "signbridge"
    assert signbridge.SignbridgeError.__doc__
    # A user-made instance still has every attribute.
    e = signbridge.SignbridgeError("x")
    assert e.http_status is None and e.retry_after is None and e.retryable is False


def check(e: signbridge.SignbridgeError, code: ErrorCode) -> None:
    assert e.code is code
    assert e.name == code.name
    assert type(e.code) is ErrorCode
    if code is ErrorCode.SB_ERR_INVALID_STATE:
        # Found locally as often as by the provider: its own class, not ProviderError.
        assert isinstance(e, signbridge.InvalidState)
        assert not isinstance(e, signbridge.ProviderError)
    else:
        assert isinstance(e, RANGE_CLASS[code.value // 100])
    assert str(e).startswith(code.name + ": ")
    assert e.message and e.message in str(e)
    assert e.retryable == dict((n, r) for n, _, r, _ in errors.error_codes())[code.name]


def test_invalid_input(signing: signbridge.ZignsecSigning, tmp_path: Path) -> None:
    with pytest.raises(signbridge.InvalidDocument) as info:
        signing.upload("abc", pdf=b"hello, not a pdf", name="notes.txt")
    check(info.value, ErrorCode.SB_ERR_INVALID_DOCUMENT)
    with pytest.raises(signbridge.InvalidDocument):
        signing.sign_documents([{"data_base64": b"", "name": "empty.pdf"}])  # type: ignore[typeddict-item]
    with pytest.raises(signbridge.InvalidInput) as info2:
        signing.status("../../etc/passwd")
    check(info2.value, ErrorCode.SB_ERR_INVALID_ARGUMENT)
    with pytest.raises(signbridge.InvalidInput) as info3:
        signing.upload("abc", path=tmp_path / "missing.pdf")
    check(info3.value, ErrorCode.SB_ERR_IO)
    with pytest.raises(signbridge.InvalidInput) as info4:
        signing.create(redirect_success="not a url")
    check(info4.value, ErrorCode.SB_ERR_INVALID_ARGUMENT)
    with pytest.raises(signbridge.InvalidInput):
        signing.wait("abc", interval_ms=1)  # below the core's minimum
    with pytest.raises(signbridge.InvalidInput):
        signing.start("abc", {"files": []})
    with pytest.raises(signbridge.InvalidInput):
        signing.start("abc", {"files": [{"file_id": "f", "placement": {"page": 0, "x": 1, "y": 1}}]})


def test_invalid_config_never_echoes_values() -> None:
    with pytest.raises(signbridge.InvalidInput) as info:
        signbridge.Client(zignsec={"kyes": ["topsecret-key"]})
    check(info.value, ErrorCode.SB_ERR_INVALID_CONFIG)
    assert "kyes" in str(info.value)
    with pytest.raises(signbridge.InvalidInput) as info2:
        signbridge.Client({"zignsec": {"keys": "topsecret-key"}})
    assert "topsecret-key" not in str(info2.value)
    with pytest.raises(signbridge.InvalidInput):
        signbridge.Client('{"zignsec": ')  # JSON text works too, and is checked


def test_auth_errors(sim: Sim) -> None:
    with pytest.raises(signbridge.AuthError) as info:
        signbridge.Client()
    check(info.value, ErrorCode.SB_ERR_AUTH_CONFIG_MISSING)
    with signbridge.Client(config(sim, keys=["wrong-1", "wrong-2"])) as client:
        with pytest.raises(signbridge.AuthError) as info2:
            client.zignsec_signing().create()
    check(info2.value, ErrorCode.SB_ERR_AUTH)
    assert info2.value.http_status == 403
    assert "wrong-1" not in str(info2.value) and "wrong-2" not in str(info2.value)


def test_transport_errors(sim: Sim, signing: signbridge.ZignsecSigning) -> None:
    with signbridge.Client(
        zignsec={"base_url": "http://127.0.0.1:9", "keys": ["k"]},
        transport={"max_attempts": 1, "connect_timeout_ms": 2000},
    ) as client:
        with pytest.raises(signbridge.TransportError) as info:
            client.zignsec_signing().status("abc")
    check(info.value, ErrorCode.SB_ERR_NETWORK)
    assert info.value.retryable

    s = signing.create()
    sim.fault(kind="malformed", method="GET", count=5)
    with pytest.raises(signbridge.TransportError) as info2:
        signing.status(s["id"])
    check(info2.value, ErrorCode.SB_ERR_PROTOCOL)
    sim.call("DELETE", "/_sim/faults")

    with pytest.raises(signbridge.TimedOut) as info3:
        signing.wait(s["id"], interval_ms=50, timeout_ms=300)
    check(info3.value, ErrorCode.SB_ERR_TIMEOUT)


def test_integrity_error(
    sim: Sim, signing: signbridge.ZignsecSigning, pending: ZignsecSignDocumentsResult,
    tmp_path: Path,
) -> None:
    sim.complete(pending["id"])
    done = signing.wait(pending["id"], interval_ms=50, timeout_ms=10_000)
    sim.fault(kind="corrupt", path_prefix="/folders/", count=5)
    target = tmp_path / "signed.pdf"
    with pytest.raises(signbridge.IntegrityError) as info:
        signing.download_to(done["signed_files"][0], target)
    check(info.value, ErrorCode.SB_ERR_INTEGRITY)
    assert not target.exists()


def test_provider_errors(sim: Sim, signing: signbridge.ZignsecSigning) -> None:
    with pytest.raises(signbridge.NotFound) as info:
        signing.status("no-such-session")
    check(info.value, ErrorCode.SB_ERR_NOT_FOUND)
    assert info.value.http_status == 404
    assert info.value.provider_code == "NOT_FOUND"

    s = signing.create()
    sim.fault(kind="rate_limit", retry_after=120, count=5)
    with pytest.raises(signbridge.RateLimited) as info2:
        signing.status(s["id"])
    check(info2.value, ErrorCode.SB_ERR_RATE_LIMITED)
    assert info2.value.retry_after == 120.0
    assert info2.value.http_status == 429
    assert info2.value.retryable
    sim.call("DELETE", "/_sim/faults")

    up = signing.upload(s["id"], pdf=sample_pdf(), name="a.pdf")
    signing.start(s["id"], {"files": [{"file_id": up["file_id"]}]})
    with pytest.raises(signbridge.InvalidState) as info3:
        signing.upload(s["id"], pdf=sample_pdf(), name="late.pdf")
    check(info3.value, ErrorCode.SB_ERR_INVALID_STATE)
    assert info3.value.http_status == 409


def test_panic_becomes_signbridge_error() -> None:
    from signbridge import _native

    with pytest.raises(signbridge.InternalError) as info:
        _native._debug_panic()  # type: ignore[attr-defined]
    assert isinstance(info.value, Exception)
    check(info.value, ErrorCode.SB_ERR_PANIC)



def test_transport_limits_reach_the_core(sim: Sim) -> None:
    # One request slot: calls from several threads queue for it and all complete.
    from concurrent.futures import ThreadPoolExecutor

    with signbridge.Client(
        config(sim, min_transfer_bytes_per_s=50000, max_requests_per_origin=1)
    ) as client:
        with ThreadPoolExecutor(3) as pool:
            ids = list(pool.map(lambda _: client.zignsec_signing().create()["id"], range(3)))
    assert len(set(ids)) == 3
    for key in ("min_transfer_bytes_per_s", "max_requests_per_origin"):
        with pytest.raises(signbridge.InvalidInput) as info:
            signbridge.Client(config(sim, **{key: 0}))
        check(info.value, ErrorCode.SB_ERR_INVALID_CONFIG)
        assert f"transport.{key}" in info.value.message

def test_bad_argument_types(signing: signbridge.ZignsecSigning, pdf: bytes) -> None:
    bad: list[tuple[int, object]] = []
    cases = [
        (lambda: signbridge.Client(42), TypeError),
        (lambda: signbridge.Client({"zignsec": {}}, transport={}), TypeError),
        (lambda: signbridge.Client(zignsec={"keys": [object()]}), TypeError),
        (lambda: signbridge.Client({1: 2}), TypeError),
        (lambda: signing.wait("abc", on_progress=5), TypeError),
    ]
    for i, (call, expected) in enumerate(cases):
        try:
            call()
        except expected as e:
            assert str(e), f"case {i}: empty message"
            assert not isinstance(e, signbridge.SignbridgeError), f"case {i}: {e!r}"
        except BaseException as e:  # noqa: BLE001
            bad.append((i, e))
        else:
            bad.append((i, "no error"))
    assert not bad, bad
    # Wrong types in a request and numbers out of range are the core's check, the same code in
    # every language, naming the request's field.
    for call, field in (
        (lambda: signing.upload("abc", pdf="text is not bytes", name="a.pdf"), "pdf_base64"),
        (lambda: signing.upload("abc", pdf=12, name="a.pdf"), "pdf_base64"),
        (lambda: signing.upload("abc", pdf=pdf, name=5), "name"),
        (lambda: signing.upload(None, pdf=pdf, name="a.pdf"), "session_id"),
        (lambda: signing.upload("abc", path=12), "path"),
        (lambda: signing.status(123), "session_id"),
        (lambda: signing.start("abc", {"files": "file-id"}), "files"),
        (lambda: signing.start("abc", {"files": [1]}), "files"),
        (lambda: signing.start("abc", 5), "start"),
        (lambda: signing.sign_documents("contract.pdf"), "documents"),
        (lambda: signing.sign_documents([b"%PDF-"]), "documents"),
        (lambda: signing.create(metadata=[1]), "metadata"),
        (lambda: signing.create(locale=5), "locale"),
        (lambda: signing.wait("abc", interval_ms="1"), "interval_ms"),
        (lambda: signing.download("not a FileRef"), "file"),
        (lambda: signing.start("abc", {"files": [
            {"file_id": "f", "placement": {"page": -1, "x": 0, "y": 0}}]}), "page"),
        (lambda: signing.sign_documents([{"data_base64": pdf, "name": 5}]), "name"),
        (lambda: signing.sign_documents([{"data_base64": [1, 2], "name": "a.pdf"}]),
         "data_base64"),
        (lambda: signing.wait("abc", interval_ms=-1), "interval_ms"),
        (lambda: signing.wait("abc", interval_ms=float("nan")), "interval_ms"),
        (lambda: signing.wait("abc", timeout_ms=-500), "timeout_ms"),
    ):
        with pytest.raises(signbridge.InvalidInput) as info:
            call()
        assert info.value.code == signbridge.ErrorCode.SB_ERR_INVALID_ARGUMENT, info.value
        assert field in info.value.message, info.value.message


def test_messages_are_clear() -> None:
    offline = signbridge.Client(zignsec={"base_url": "http://127.0.0.1:9", "keys": ["k"]})
    with pytest.raises(signbridge.InvalidInput, match="request.documents.*base64"):
        offline.zignsec_signing().sign_documents([{"data_base64": "x", "name": "a.pdf"}])
    with pytest.raises(TypeError, match="dict"):
        signbridge.Client([1])  # type: ignore[arg-type]
    with pytest.raises(signbridge.InvalidInput, match="interval"):
        offline.zignsec_signing().wait("abc", interval_ms=-1)


def test_outcome_unknown_when_a_create_answer_is_lost(
    sim: Sim, client: signbridge.Client
) -> None:
    sim.fault(kind="drop", method="POST", path_prefix="/core/api/sessions/", count=5)
    with pytest.raises(signbridge.OutcomeUnknown) as info:
        client.zignsec_eid().create(product="bankid_se", session={"relay_state": "lost"})
    check(info.value, ErrorCode.SB_ERR_OUTCOME_UNKNOWN)
    assert isinstance(info.value, signbridge.TransportError)
