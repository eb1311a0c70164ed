"""The Securosys facade generated from the operation table (``client.securosys()``): one
typed method per ``securosys.*`` operation, run through ``Client.call`` / ``AsyncClient.call``,
against the simulated TSB. Bytes in and out, unwrapped one-field results, the hand-written
values (``ApproverKey``, policies from ``quorum_policy``, attribute dicts) and the str enums as request values,
progress and cancellation of the waits, and bad input failing in the core's validation."""

# The bad-input cases pass wrong types on purpose (the typed methods make mypy see them).
# mypy: disable-error-code="arg-type, typeddict-item"

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import threading
import uuid
from typing import Any, Iterator

import pytest

import signbridge
from signbridge import ApproverKey, ErrorCode, PayloadKind, RequestState, quorum_policy
from signbridge import SignatureAlgorithm, TaskKind
from signbridge import AsyncSecurosys, Securosys

from conftest import Sim, securosys_config

DOCUMENT = b"%PDF-1.4 the contract to sign\n"
P256 = "1.2.840.10045.3.1.7"


def new_label(prefix: str = "gen") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def hsm(sim: Sim) -> Iterator[Securosys]:
    with signbridge.Client(securosys_config(sim)) as client:
        facade = client.securosys()
        assert isinstance(facade, Securosys)
        yield facade


def quorum_key(hsm: Securosys, keys: list[ApproverKey], quorum: int = 2) -> str:
    label = new_label("ska")
    policy = quorum_policy(quorum, dict(zip(["alice", "bob", "carol"], keys)), timeout=3600)
    info = hsm.create_key(label, algorithm="RSA", key_size=2048, policy=policy)
    assert info["policy"] == policy
    return label


def test_every_operation_has_a_method_with_its_doc() -> None:
    listed = [op for op in signbridge.operations() if op["name"].startswith("securosys.")]
    # The local helpers (no client needed) are KeySpec, quorum_policy and ApproverKey, not methods.
    local = {op["name"] for op in listed if not op["needs_client"]}
    assert local == {"securosys.key_spec", "securosys.quorum_policy", "securosys.approver_key"}
    assert not hasattr(Securosys, "approver_key")
    ops = [op for op in listed if op["needs_client"]]
    assert len(ops) >= 50
    for op in ops:
        name = op["name"].removeprefix("securosys.")
        for cls in (Securosys, AsyncSecurosys):
            method = getattr(cls, name)
            assert method.__doc__ and op["summary"].split("`")[0].strip() in method.__doc__, name
            params = inspect.signature(method).parameters
            assert ("on_progress" in params) == op["long_running"], name
        assert inspect.iscoroutinefunction(getattr(AsyncSecurosys, name)), name
    # Required fields are positional in the schema's order, optional ones keyword-only.
    params = inspect.signature(Securosys.synchronous_sign).parameters
    assert list(params)[:3] == ["self", "label", "algorithm"]
    assert params["payload"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["payload"].default is None


def test_keys_sign_and_verify_with_bytes_in_and_out(hsm: Securosys) -> None:
    assert hsm.version_info()["vendor"] == "Securosys SA"
    assert "REST_API" in hsm.license_info()
    label = new_label()
    info = hsm.create_key(label, algorithm="EC", curve_oid=P256)
    assert info["label"] == label and info["algorithm"] == "EC"
    assert label in hsm.list_keys()
    key = hsm.get_key(label)
    assert key["attributes"] is not None and key["attributes"]["sign"] is True
    pub = hsm.public_key(label)
    assert pub["pem"].startswith("-----BEGIN PUBLIC KEY-----\n")

    alg = SignatureAlgorithm.SHA256_WITH_ECDSA
    sig = hsm.synchronous_sign(label, alg, payload=DOCUMENT)
    assert isinstance(sig, bytes) and sig
    assert hsm.verify(label, alg, payload=bytearray(DOCUMENT), signature=memoryview(sig)) is True
    assert hsm.verify(label, "SHA256_WITH_ECDSA", payload=b"tampered", signature=sig) is False
    digest = hashlib.sha256(DOCUMENT).digest()
    dsig = hsm.synchronous_sign(label, alg, payload=digest, payload_kind=PayloadKind.DIGEST)
    assert hsm.verify(label, alg, payload=DOCUMENT, signature=dsig)

    assert len(hsm.generate_random(16)) == 16
    hsm.delete_key(label)
    assert label not in hsm.list_keys()
    with pytest.raises(signbridge.NotFound) as nf:
        hsm.get_key(label)
    assert nf.value.code is ErrorCode.SB_ERR_NOT_FOUND


def test_attributes_are_taken_as_a_dict(hsm: Securosys) -> None:
    label = new_label("attrs")
    attrs: signbridge.call_types.KeyAttributes = {
        "sign": True, "verify": True, "decrypt": False, "unwrap": False, "extractable": False,
        "sensitive": True, "destroyable": True, "modifiable": False,
    }
    info = hsm.create_key(label, spec=signbridge.KeySpec.P256, attributes=attrs)
    assert info["attributes"] is not None and info["attributes"]["modifiable"] is False


def test_approvals_with_approver_keys_progress_and_rejection(hsm: Securosys) -> None:
    alice, bob, carol = keys = [ApproverKey.generate_p256()[0] for _ in range(3)]
    label = quorum_key(hsm, keys)
    alg = SignatureAlgorithm.SHA256_WITH_RSA
    request_id = hsm.sign(
        label, alg, payload=DOCUMENT, options={"metadata": {"document": "contract.pdf"}}
    )
    assert isinstance(request_id, str) and request_id

    [task] = hsm.list_approval_tasks(alice)
    assert json.loads(base64.b64decode(task["meta_data"] or "")) == {"document": "contract.pdf"}
    hsm.approve(alice, task)
    state = hsm.request_status(request_id)
    assert state["status"] == RequestState.PENDING
    assert state["approved_by"] == [alice.public_key_b64]

    polled = threading.Event()
    seen: list[str] = []

    def on_progress(s: dict[str, Any]) -> None:
        seen.append(s["status"])
        polled.set()

    def bob_approves() -> None:
        assert polled.wait(timeout=30)
        for t in hsm.all_approval_tasks(bob, kind=TaskKind.ALL):
            hsm.approve(bob, t)

    t = threading.Thread(target=bob_approves)
    t.start()
    sig = hsm.wait_request(request_id, interval_ms=100, timeout_ms=60000, on_progress=on_progress)
    t.join(timeout=30)
    assert seen[0] == "PENDING" and seen[-1] == "EXECUTED"
    assert hsm.verify(label, alg, payload=DOCUMENT, signature=sig)
    assert hsm.list_approval_tasks(carol) == []

    # Two rejections of three leave the quorum unreachable.
    request_id = hsm.sign(label, alg, payload=DOCUMENT)
    for who in (alice, bob):
        [task] = hsm.list_approval_tasks(who)
        hsm.reject(who, task)
    with pytest.raises(signbridge.SessionRejected) as rejected:
        hsm.wait_request(request_id, interval_ms=100, timeout_ms=30000)
    assert rejected.value.code is ErrorCode.SB_ERR_REJECTED

    # A cancelled request; raising in on_progress stops a wait.
    request_id = hsm.sign(label, alg, payload=DOCUMENT)

    class Stop(Exception):
        pass

    def stop(_: dict[str, Any]) -> None:
        raise Stop()

    with pytest.raises(Stop):
        hsm.wait_request(request_id, interval_ms=50, timeout_ms=10000, on_progress=stop)
    hsm.cancel_request(request_id)
    with pytest.raises(signbridge.SessionCancelled):
        hsm.wait_request(request_id, interval_ms=50, timeout_ms=10000)


def test_certificates_data_objects_and_encryption(hsm: Securosys) -> None:
    label = new_label("cert")
    hsm.create_key(label, algorithm="EC", curve_oid=P256)
    cert = hsm.self_signed_certificate(
        label,
        {"common_name": "Doc Signer", "signature_algorithm": "SHA256_WITH_ECDSA",
         "validity_days": 30},
    )
    assert cert["pem"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert base64.b64decode(cert["der_base64"])

    name = new_label("obj")
    hsm.create_data_object(name, b"\x00secret value\xff")
    assert hsm.read_data_object(name) == b"\x00secret value\xff"
    hsm.delete_data_object(name)

    aes = new_label("aes")
    hsm.create_key(aes, algorithm="AES", key_size=256,
                   attributes={"encrypt": True, "decrypt": True, "sign": False, "unwrap": False})
    sealed = hsm.encrypt(aes, b"plain text", "AES_GCM")
    assert hsm.synchronous_decrypt(
        aes,
        base64.b64decode(sealed["ciphertext_base64"]),
        "AES_GCM",
        initialization_vector=base64.b64decode(sealed["initialization_vector_base64"] or ""),
        tag_length=128,
    ) == b"plain text"


def test_bad_input_fails_in_the_core_with_its_path(sim: Sim, hsm: Securosys) -> None:
    sim.call("DELETE", "/_sim/securosys/requests")
    cases: list[tuple[Any, str]] = [
        (lambda: hsm.create_key(5, spec="p256"), "securosys.create_key: request.label"),
        (lambda: hsm.create_key("k", algorithm="EC", key_size="big"), "request.key_size"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload=5), "request.payload_base64"),
        (lambda: hsm.synchronous_sign("k", 5, payload=b"x"), "request.algorithm"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload=b"x", payload_kind="hashed"),
         "request.payload_kind"),
        (lambda: hsm.list_approval_tasks("not a key"), "approver"),
        (lambda: hsm.approve(ApproverKey.generate_p256()[0], {"id": 5}), "request.task"),
        (lambda: hsm.wait_request("abc", interval_ms=-1), "request.interval_ms"),
    ]
    for i, (call, words) in enumerate(cases):
        with pytest.raises(signbridge.InvalidInput) as info:
            call()
        assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT, (i, info.value)
        assert words in info.value.message, (i, info.value.message)
    assert sim.securosys_log() == [], "bad input never reaches the TSB"


def test_the_approver_key_never_shows(hsm: Securosys) -> None:
    key, der = ApproverKey.generate_p256()
    secret = base64.b64encode(der).decode()[20:60]
    assert not hasattr(key, "__signbridge_json__")
    assert secret not in repr(key) + repr(hsm)


@pytest.mark.asyncio
async def test_the_async_facade_awaits_the_same_calls(sim: Sim) -> None:
    async with signbridge.AsyncClient(securosys_config(sim)) as client:
        hsm = client.securosys()
        assert isinstance(hsm, AsyncSecurosys)
        label = new_label("async")
        key = await hsm.create_key(label, algorithm="EC", curve_oid=P256)
        assert key["label"] == label
        alg = SignatureAlgorithm.SHA256_WITH_ECDSA
        sig = await hsm.synchronous_sign(label, alg, payload=b"data")
        assert await hsm.verify(label, alg, payload=b"data", signature=sig) is True
        assert label in await hsm.list_keys()
        with pytest.raises(signbridge.InvalidInput) as bad:
            await hsm.get_key("")
        assert bad.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
