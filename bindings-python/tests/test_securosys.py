"""Securosys Primus HSM through the Python API (``client.securosys()``, the facade generated from
the operation table), against the simulated TSB: every key type signs and verifies (here and
with openssl), approvals by a 2-of-3 quorum (from several threads), rejection, cancellation,
role-keyed least privilege, the JWT, and bad arguments (refused by the core's validation)."""
# The bad-argument cases pass wrong types on purpose (the typed methods make mypy see them).
# mypy: disable-error-code="arg-type, list-item, call-arg, typeddict-item, dict-item"

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

import signbridge
from signbridge import (
    ApproverKey,
    ErrorCode,
    KeySpec,
    PayloadKind,
    RequestState,
    SignatureAlgorithm,
    quorum_policy,
)

from conftest import SECUROSYS_JWT, SECUROSYS_KEYS, Sim, securosys_config, sim_binary

DOCUMENT = b"%PDF-1.4 the contract to sign\n"
SPECS = list(KeySpec)


def new_label(prefix: str = "py") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def openssl_verifies(spec: KeySpec, pem: str, data: bytes, sig: bytes, tmp: Path) -> bool:
    """Whether openssl accepts `sig` over `data` with the exported public key."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    pub, msg, sigf = tmp / "pub.pem", tmp / "data", tmp / "sig"
    pub.write_text(pem)
    msg.write_bytes(data)
    sigf.write_bytes(sig)
    if spec is KeySpec.ED25519:
        cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pub), "-rawin",
               "-in", str(msg), "-sigfile", str(sigf)]
    else:
        digest = "-sha384" if spec is KeySpec.P384 else "-sha256"
        cmd = ["openssl", "dgst", digest, "-verify", str(pub), "-signature", str(sigf), str(msg)]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def approvers(n: int) -> list[ApproverKey]:
    return [ApproverKey.generate_p256()[0] for _ in range(n)]


def quorum_key(hsm: signbridge.Securosys, keys: list[ApproverKey], quorum: int = 2) -> str:
    """An RSA key whose use needs `quorum` approvals among `keys`."""
    label = new_label("ska")
    names = ["alice", "bob", "carol", "dave", "erin"]
    policy = quorum_policy(quorum, dict(zip(names, keys)), timeout=3600)
    info = hsm.create_key(label, spec=KeySpec.RSA_2048, policy=policy)
    assert info["policy"] is not None and info["policy"] == policy
    return label


def metadata(task: signbridge.call_types.ListedTask) -> Any:
    """A task's metadata (base64 JSON) as the requester gave it."""
    return json.loads(base64.b64decode(task["meta_data"] or ""))


def der_of(b64: Optional[str]) -> bytes:
    assert b64 is not None
    return base64.b64decode(b64)


# ---- keys and synchronous signing ----


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_key_type_signs_and_verifies_here_and_with_openssl(
    hsm: signbridge.Securosys, spec: KeySpec, tmp_path: Path
) -> None:
    label = new_label(spec.value)
    created = hsm.create_key(label, spec=spec)
    assert created["label"] == label
    assert label in hsm.list_keys()
    info = hsm.get_key(label)
    assert info["attributes"] is not None and info["attributes"]["sign"] is True
    assert info["attributes"]["extractable"] is False
    assert info["policy"] is None
    public = hsm.public_key(label)
    pem = public["pem"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert base64.b64decode(public["der_base64"]) == der_of(info["public_key"])

    alg = spec.default_signature_algorithm
    sig = hsm.synchronous_sign(label, alg, payload=DOCUMENT)
    assert isinstance(sig, bytes) and sig
    assert hsm.verify(label, alg, payload=DOCUMENT, signature=sig) is True
    assert hsm.verify(label, alg, payload=b"a tampered document", signature=sig) is False
    assert openssl_verifies(spec, pem, DOCUMENT, sig, tmp_path)
    assert not openssl_verifies(spec, pem, b"a tampered document", sig, tmp_path)

    # The same from a file (pathlib.Path and str), and from a bytearray / memoryview.
    doc = tmp_path / "contract.pdf"
    doc.write_bytes(DOCUMENT)
    file_sig = hsm.synchronous_sign(label, alg, path=doc)
    assert hsm.verify(label, alg, path=str(doc), signature=file_sig)
    assert hsm.verify(label, alg, payload=bytearray(DOCUMENT), signature=memoryview(file_sig))

    # A digest computed here, said so explicitly; openssl checks it against the document.
    if spec is not KeySpec.ED25519:
        digest = (hashlib.sha384 if spec is KeySpec.P384 else hashlib.sha256)(DOCUMENT).digest()
        dsig = hsm.synchronous_sign(label, alg, payload=digest, payload_kind=PayloadKind.DIGEST)
        assert hsm.verify(label, alg, payload=digest, signature=dsig, payload_kind="digest")
        assert openssl_verifies(spec, pem, DOCUMENT, dsig, tmp_path)

    hsm.delete_key(label)
    assert label not in hsm.list_keys()
    with pytest.raises(signbridge.NotFound) as info_nf:
        hsm.synchronous_sign(label, alg, payload=DOCUMENT)
    e = info_nf.value
    assert e.code is ErrorCode.SB_ERR_NOT_FOUND and e.http_status == 404
    assert e.provider_code == "650", e.provider_code
    with pytest.raises(signbridge.NotFound):
        hsm.get_key(label)


def test_service_information_and_key_options(hsm: signbridge.Securosys) -> None:
    v = hsm.version_info()
    assert v["version"] and v["vendor"] == "Securosys SA"
    assert "REST_API" in hsm.license_info()
    assert hsm.base_url.endswith("/")

    # Values and names of KeySpec work as well as members; explicit attributes are sent.
    label = new_label("attrs")
    attrs: signbridge.call_types.KeyAttributes = {
        "sign": True, "verify": True, "decrypt": False, "unwrap": False, "extractable": False,
        "sensitive": True, "destroyable": True, "modifiable": False,
    }
    info = hsm.create_key(label, spec=KeySpec["P256"], attributes=attrs)
    assert info["algorithm"] == "EC" and info["key_size"] == 256
    assert info["attributes"] is not None and info["attributes"]["modifiable"] is False
    assert hsm.create_key(new_label(), spec="rsa2048")["algorithm"] == "RSA"

    # An existing label is the TSB's refusal, with its code.
    with pytest.raises(signbridge.ProviderError) as dup:
        hsm.create_key(label, spec=KeySpec.P256)
    assert dup.value.code is ErrorCode.SB_ERR_PROVIDER
    assert dup.value.provider_code == "608"


def test_enums_come_from_the_core() -> None:
    assert KeySpec("p256") is KeySpec.P256 and KeySpec.P256 == "p256"
    assert [s.name for s in KeySpec] == [
        "RSA_2048", "RSA_3072", "RSA_4096", "P256", "P384", "ED25519",
    ]
    assert KeySpec.P384.default_signature_algorithm is SignatureAlgorithm.SHA384_WITH_ECDSA
    assert KeySpec.ED25519.default_signature_algorithm is SignatureAlgorithm.EDDSA
    assert KeySpec.RSA_4096.default_signature_algorithm is SignatureAlgorithm.SHA256_WITH_RSA
    assert SignatureAlgorithm("NONESHA256_WITH_RSA").value == "NONESHA256_WITH_RSA"
    assert {k.value for k in PayloadKind} == {"raw", "digest"}
    assert RequestState.EXECUTED == "EXECUTED" and RequestState.OTHER.value == "OTHER"
    assert signbridge.TaskKind.SIGN.value == "sign"


# ---- asynchronous signing with approvals ----


def test_two_of_three_approvals_from_threads_execute_the_request(
    hsm: signbridge.Securosys, tmp_path: Path
) -> None:
    alice, bob, carol = keys = approvers(3)
    label = quorum_key(hsm, keys)
    alg = SignatureAlgorithm.SHA256_WITH_RSA

    # A key with a policy does not sign synchronously.
    with pytest.raises(signbridge.ProviderError) as refused:
        hsm.synchronous_sign(label, alg, payload=DOCUMENT)
    assert refused.value.provider_code == "401"

    digest = hashlib.sha256(DOCUMENT).digest()
    request_id = hsm.sign(
        label, alg, payload=digest, payload_kind=PayloadKind.DIGEST,
        options={"metadata": {"document": "contract.pdf"}},
    )
    assert isinstance(request_id, str) and request_id

    tasks = hsm.list_approval_tasks(alice)
    assert len(tasks) == 1
    assert metadata(tasks[0]) == {"document": "contract.pdf"}
    hsm.approve(alice, tasks[0])
    state = hsm.request_status(request_id)
    assert state["status"] == RequestState.PENDING and state["execution_time"] is None
    assert state["approved_by"] == [alice.public_key_b64]
    assert state["result"] is None

    # The wait runs here while bob approves from another thread once it has polled PENDING:
    # both only make progress if each releases the GIL.
    polled_pending = threading.Event()
    seen: list[RequestState] = []
    failures: list[BaseException] = []

    def on_progress(s: dict[str, Any]) -> None:
        seen.append(RequestState(s["status"]))
        if s["status"] == RequestState.PENDING:
            polled_pending.set()

    def bob_approves() -> None:
        try:
            assert polled_pending.wait(timeout=30)
            for task in hsm.list_approval_tasks(bob):
                hsm.approve(bob, task)
        except BaseException as e:  # noqa: BLE001
            failures.append(e)

    t = threading.Thread(target=bob_approves)
    t.start()
    sig = hsm.wait_request(request_id, interval_ms=100, timeout_ms=60000, on_progress=on_progress)
    t.join(timeout=30)
    assert not failures, failures
    assert seen[0] is RequestState.PENDING and seen[-1] is RequestState.EXECUTED

    assert hsm.verify(
        label, alg, payload=digest, signature=sig, payload_kind=PayloadKind.DIGEST
    )
    pem = hsm.public_key(label)["pem"]
    assert openssl_verifies(KeySpec.RSA_2048, pem, DOCUMENT, sig, tmp_path)
    final = hsm.request_status(request_id)
    assert final["status"] == RequestState.EXECUTED and final["status"] == "EXECUTED"
    assert der_of(final["result"]) == sig
    assert sorted(final["approved_by"]) == sorted([alice.public_key_b64, bob.public_key_b64])
    # Carol has nothing left to approve.
    assert hsm.list_approval_tasks(carol) == []


def test_rejections_that_leave_the_quorum_unreachable_reject_the_request(
    hsm: signbridge.Securosys,
) -> None:
    alice, bob, _carol = keys = approvers(3)
    label = quorum_key(hsm, keys)
    request_id = hsm.sign(label, "SHA256_WITH_RSA", payload=DOCUMENT)

    # One rejection of three: two approvers can still reach the quorum of two.
    [task] = hsm.list_approval_tasks(alice)
    hsm.reject(alice, task)
    state = hsm.request_status(request_id)
    assert state["status"] == RequestState.PENDING
    assert state["rejected_by"] == [alice.public_key_b64]

    # A second one (the task in the TSB's own camelCase) makes it unreachable.
    [task] = hsm.list_approval_tasks(bob)
    hsm.reject(bob, {"id": task["id"], "approvalToBeSigned": task["approval_to_be_signed"]})
    with pytest.raises(signbridge.SessionRejected) as info:
        hsm.wait_request(request_id, interval_ms=100, timeout_ms=30000)
    e = info.value
    assert e.code is ErrorCode.SB_ERR_REJECTED and e.name == "SB_ERR_REJECTED"
    assert e.provider_code == "REJECTED"
    assert request_id in e.message and not e.retryable
    assert hsm.request_status(request_id)["status"] == RequestState.REJECTED


def test_a_cancelled_request_and_one_of_a_deleted_key(hsm: signbridge.Securosys) -> None:
    keys = approvers(3)
    label = quorum_key(hsm, keys)
    request_id = hsm.sign(label, SignatureAlgorithm.SHA256_WITH_RSA, payload=DOCUMENT)
    hsm.cancel_request(request_id)
    with pytest.raises(signbridge.SessionCancelled) as info:
        hsm.wait_request(request_id, interval_ms=100, timeout_ms=30000)
    assert info.value.code is ErrorCode.SB_ERR_CANCELLED

    request_id = hsm.sign(label, SignatureAlgorithm.SHA256_WITH_RSA, payload=DOCUMENT)
    hsm.delete_key(label)
    assert hsm.request_status(request_id)["status"] == RequestState.CANCELLED
    with pytest.raises(signbridge.NotFound):
        hsm.sign(label, SignatureAlgorithm.SHA256_WITH_RSA, payload=DOCUMENT)


def test_wait_request_times_out_and_on_progress_can_stop_it(hsm: signbridge.Securosys) -> None:
    label = quorum_key(hsm, approvers(2))
    request_id = hsm.sign(label, SignatureAlgorithm.SHA256_WITH_RSA, payload=DOCUMENT)
    with pytest.raises(signbridge.TimedOut):
        hsm.wait_request(request_id, interval_ms=50, timeout_ms=300)

    class Stop(Exception):
        pass

    def stop(_: dict[str, Any]) -> None:
        raise Stop()

    with pytest.raises(Stop):
        hsm.wait_request(request_id, interval_ms=50, timeout_ms=10000, on_progress=stop)


def test_many_approvers_in_many_threads(hsm: signbridge.Securosys) -> None:
    """Three requests approved by two approvers, each in its own thread, while three threads
    wait for them: no deadlock, every signature verifies."""
    keys = approvers(2)
    label = quorum_key(hsm, keys, quorum=2)
    alg = SignatureAlgorithm.SHA256_WITH_RSA
    docs = [b"document %d" % i for i in range(3)]
    ids = [hsm.sign(label, alg, payload=d) for d in docs]
    results: dict[str, bytes] = {}
    failures: list[BaseException] = []

    def guarded(f: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                f()
            except BaseException as e:  # noqa: BLE001
                failures.append(e)
        return run

    def approve_all(who: ApproverKey) -> None:
        approved = 0
        while approved < len(ids):
            for task in hsm.list_approval_tasks(who):
                hsm.approve(who, task)
                approved += 1

    def wait(rid: str) -> None:
        results[rid] = hsm.wait_request(rid, interval_ms=50, timeout_ms=60000)

    threads = [threading.Thread(target=guarded(functools.partial(wait, r))) for r in ids]
    threads += [
        threading.Thread(target=guarded(functools.partial(approve_all, k))) for k in keys
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not failures, failures
    for rid, doc in zip(ids, docs):
        assert hsm.verify(label, alg, payload=doc, signature=results[rid])


# ---- authentication ----


def test_a_call_without_its_roles_key_is_refused_before_sending(sim: Sim) -> None:
    only_service = {"service": [SECUROSYS_KEYS["service"]]}
    with signbridge.Client(securosys_config(sim, api_keys=only_service)) as client:
        hsm = client.securosys()
        assert hsm.version_info()["version"]
        sim.call("DELETE", "/_sim/securosys/requests")
        approver = approvers(1)[0]
        calls: list[tuple[str, Callable[[], object]]] = [
            ("key_management", lambda: hsm.create_key("k", spec=KeySpec.P256)),
            ("key_management", lambda: hsm.list_keys()),
            ("key_operation",
             lambda: hsm.synchronous_sign("k", "SHA256_WITH_ECDSA", payload=b"x")),
            ("key_operation", lambda: hsm.request_status("some-request")),
            ("approver", lambda: hsm.list_approval_tasks(approver)),
        ]
        for role, call in calls:
            with pytest.raises(signbridge.AuthError) as info:
                call()
            e = info.value
            assert e.code is ErrorCode.SB_ERR_AUTH_CONFIG_MISSING, e
            assert e.code == 201 and e.name == "SB_ERR_AUTH_CONFIG_MISSING"
            assert f"securosys.api_keys.{role}" in e.message, e.message
            assert e.http_status is None
        assert sim.securosys_log() == [], "no request may reach the TSB"


def test_every_call_carries_only_its_roles_key(sim: Sim, hsm: signbridge.Securosys) -> None:
    approver = approvers(1)[0]
    sim.call("DELETE", "/_sim/securosys/requests")
    label = new_label()
    hsm.version_info()
    hsm.create_key(label, spec=KeySpec.P256)
    sig = hsm.synchronous_sign(label, "SHA256_WITH_ECDSA", payload=b"x")
    hsm.verify(label, "SHA256_WITH_ECDSA", payload=b"x", signature=sig)
    hsm.list_approval_tasks(approver)
    log = sim.securosys_log()
    assert {e["required_role"] for e in log} == {
        "serviceToken", "keyManagementToken", "keyOperationToken", "approverToken",
    }
    for entry in log:
        assert entry["api_key_roles"] == [entry["required_role"]], entry


@pytest.fixture
def jwt_required(sim: Sim) -> Iterator[None]:
    sim.call("PUT", "/_sim/securosys/auth", {"require_jwt": True})
    yield
    sim.call("PUT", "/_sim/securosys/auth", {"require_jwt": False})


def test_a_static_jwt(
    sim: Sim, jwt_required: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1, logger="signbridge")  # everything, TRACE included
    # Without the JWT the TSB refuses.
    with signbridge.Client(securosys_config(sim)) as client:
        with pytest.raises(signbridge.AuthError) as missing:
            client.securosys().version_info()
    assert missing.value.code is ErrorCode.SB_ERR_AUTH
    assert missing.value.provider_code == "406"

    # The right one, as a value and from a file.
    jwt_file = tmp_path / "tsb.jwt"
    jwt_file.write_text(SECUROSYS_JWT + "\n")
    sim.call("DELETE", "/_sim/securosys/requests")
    # The service role's first key is not valid: the client rolls over to the next (and logs it).
    keys = {r: [k] for r, k in SECUROSYS_KEYS.items()}
    keys["service"] = ["not-a-valid-service-key-1", SECUROSYS_KEYS["service"]]
    for jwt in (SECUROSYS_JWT, {"file": jwt_file}):
        with signbridge.Client(securosys_config(sim, api_keys=keys, jwt=jwt)) as client:
            hsm = client.securosys()
            assert hsm.version_info()["version"]
            label = new_label("jwt")
            hsm.create_key(label, spec=KeySpec.P256)
            assert hsm.get_key(label)["label"] == label
            assert SECUROSYS_JWT not in repr(client) + repr(hsm)
    assert all(e["bearer"] for e in sim.securosys_log())

    # A wrong one is an authentication error that never shows it.
    wrong = "wrong-securosys-jwt-7f3a9c"
    with signbridge.Client(securosys_config(sim, jwt=wrong)) as client:
        hsm = client.securosys()
        with pytest.raises(signbridge.AuthError) as info:
            hsm.list_keys()
        texts = [str(info.value), repr(info.value), info.value.message, repr(client), repr(hsm)]
    e = info.value
    assert e.code is ErrorCode.SB_ERR_AUTH and e.name == "SB_ERR_AUTH"
    assert e.http_status == 401 and e.provider_code == "617"
    texts += [e.provider_description or ""]
    texts += [r.getMessage() for r in caplog.records]
    assert any("api key" in t.lower() for t in texts), texts  # the rollover was logged
    secrets = [wrong, SECUROSYS_JWT, "not-a-valid-service-key-1", *SECUROSYS_KEYS.values()]
    for text in texts:
        for secret in secrets:
            assert secret not in text, text


def test_a_wrong_api_key_never_shows(sim: Sim) -> None:
    bad = "not-a-securosys-key-42"
    with signbridge.Client(securosys_config(sim, api_keys={"service": [bad]})) as client:
        with pytest.raises(signbridge.AuthError) as info:
            client.securosys().version_info()
    assert info.value.code is ErrorCode.SB_ERR_AUTH and info.value.provider_code == "631"
    assert "securosys.api_keys.service" in info.value.message
    assert bad not in str(info.value) and bad not in repr(info.value)


def test_securosys_needs_its_section(sim: Sim) -> None:
    with signbridge.Client(zignsec={"base_url": sim.url, "keys": ["k"]}) as client:
        with pytest.raises(signbridge.AuthError) as info:
            client.securosys()
    assert info.value.code is ErrorCode.SB_ERR_AUTH_CONFIG_MISSING
    assert "securosys" in info.value.message
    # Keyword arguments work like the dict.
    with signbridge.Client(**securosys_config(sim)) as client:
        assert client.securosys().version_info()["version"]
    hsm = client.securosys
    with pytest.raises(signbridge.InvalidInput, match="closed"):
        hsm()


def test_a_jwt_from_oauth2_client_credentials(sim: Sim) -> None:
    sim.call("PUT", "/_sim/securosys/auth", {"require_jwt": True, "accept_oauth": True})
    sim.call("DELETE", "/_sim/oauth")
    oauth2 = {"client_id": "signbridge-sim-client", "client_secret": "sim-client-secret-0001",
              "token_url": sim.url + "/auth/realms/zignsec/protocol/openid-connect/token"}
    with signbridge.Client(securosys_config(sim, oauth2=oauth2)) as client:
        hsm = client.securosys()
        label = new_label("oauth")
        hsm.create_key(label, spec=KeySpec.P256)
        for _ in range(3):
            hsm.synchronous_sign(label, "SHA256_WITH_ECDSA", payload=DOCUMENT)
    assert sim.call("GET", "/_sim/oauth")["tokens_issued"] == 1, "one token, reused"

    wrong = dict(oauth2, client_secret="wrong-oauth-client-secret-55")
    with signbridge.Client(securosys_config(sim, oauth2=wrong)) as client:
        with pytest.raises(signbridge.AuthError) as info:
            client.securosys().list_keys()
    assert info.value.code is ErrorCode.SB_ERR_AUTH
    assert "wrong-oauth-client-secret-55" not in str(info.value) + repr(info.value)

    # A static JWT and a token source at once is a configuration error.
    with pytest.raises(signbridge.InvalidInput) as both:
        signbridge.Client(securosys_config(sim, jwt=SECUROSYS_JWT, oauth2=oauth2))
    assert both.value.code is ErrorCode.SB_ERR_INVALID_CONFIG
    assert SECUROSYS_JWT not in str(both.value)


# ---- certificates ----


def openssl(*args: str, stdin: Optional[str] = None) -> str:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    out = subprocess.run(["openssl", *args], capture_output=True, text=True, input=stdin)
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


@pytest.mark.parametrize("spec", [KeySpec.RSA_2048, KeySpec.P256, KeySpec.P384,
                                  KeySpec.ED25519], ids=lambda s: s.name)
def test_self_signed_certificates_and_csrs(
    hsm: signbridge.Securosys, spec: KeySpec, tmp_path: Path
) -> None:
    label = new_label("cert")
    hsm.create_key(label, spec=spec)
    key_pem = hsm.public_key(label)["pem"]
    alg = spec.default_signature_algorithm

    cert = hsm.self_signed_certificate(label, {
        "common_name": "Doc Signer", "signature_algorithm": alg, "validity_days": 30,
        "extended_key_usage": [signbridge.ExtendedKeyUsage.CODE_SIGNING, "EMAIL_PROTECTION"],
    })
    assert cert["pem"].startswith("-----BEGIN CERTIFICATE-----\n")
    # The PEM is the DER, base64 in lines.
    assert "".join(cert["pem"].splitlines()[1:-1]) == cert["der_base64"]
    path = tmp_path / "cert.pem"
    path.write_text(cert["pem"])
    text = openssl("x509", "-in", str(path), "-noout", "-text")
    assert "CN=Doc Signer" in text or "CN = Doc Signer" in text, text
    assert "Code Signing" in text and "E-mail Protection" in text, text
    assert openssl("x509", "-in", str(path), "-noout", "-pubkey") == key_pem

    ca = hsm.self_signed_certificate(
        label, {"common_name": "Example CA", "signature_algorithm": alg,
                "certificate_authority": True}
    )
    ca_path = tmp_path / "ca.pem"
    ca_path.write_text(ca["pem"])
    assert "CA:TRUE" in openssl("x509", "-in", str(ca_path), "-noout", "-text")
    assert ": OK" in openssl("verify", "-CAfile", str(ca_path), str(ca_path))

    subject: signbridge.call_types.DistinguishedName = {
        "common_name": "Doc Signer", "country": "CH", "organization_name": "Example AG",
        "email": "signer@example.com",
    }
    csr = hsm.certificate_signing_request(label, {"subject": subject, "signature_algorithm": alg})
    csr_path = tmp_path / "req.pem"
    csr_path.write_text(csr["pem"])
    out = openssl("req", "-in", str(csr_path), "-noout", "-verify", "-subject")
    assert "verif" in out.lower() and "OK" in out, out
    assert "Example AG" in out and "CH" in out, out
    assert openssl("req", "-in", str(csr_path), "-noout", "-pubkey") == key_pem
    # A subject of only a common name.
    only_cn = hsm.certificate_signing_request(
        label, {"subject": {"common_name": "Only CN"}, "signature_algorithm": alg}
    )
    assert base64.b64decode(only_cn["der_base64"])


def test_certificates_of_a_key_with_approvals(hsm: signbridge.Securosys, tmp_path: Path) -> None:
    alice, bob, _ = keys = approvers(3)
    label = quorum_key(hsm, keys)
    alg = SignatureAlgorithm.SHA256_WITH_RSA
    with pytest.raises(signbridge.ProviderError):
        hsm.self_signed_certificate(label, {"common_name": "Needs approval",
                                            "signature_algorithm": alg})

    cert_id = hsm.request_self_signed_certificate(
        label, {"common_name": "Approved CA", "signature_algorithm": alg,
                "certificate_authority": True},
        options={"metadata": {"why": "new CA"}},
    )
    csr_id = hsm.request_certificate_signing_request(
        label, {"subject": {"common_name": "Approved", "country": "SE"},
                "signature_algorithm": alg}
    )
    for who in (alice, bob):
        tasks = hsm.list_approval_tasks(who, kind=signbridge.TaskKind.ALL)
        assert {t["id"] for t in tasks} >= {cert_id, csr_id}
        for t in tasks:
            hsm.approve(who, t)
    cert = hsm.wait_certificate(cert_id, interval_ms=100, timeout_ms=30000)
    csr = hsm.wait_certificate_signing_request(csr_id, interval_ms=100, timeout_ms=30000)
    (tmp_path / "ca.pem").write_text(cert["pem"])
    assert "CA:TRUE" in openssl("x509", "-in", str(tmp_path / "ca.pem"), "-noout", "-text")
    (tmp_path / "req.pem").write_text(csr["pem"])
    assert "OK" in openssl("req", "-in", str(tmp_path / "req.pem"), "-noout", "-verify")


def test_certificate_role_follows_the_configuration(sim: Sim) -> None:
    def cert(cn: str) -> signbridge.call_types.CertificateRequest:
        return {"common_name": cn, "signature_algorithm": "SHA256_WITH_ECDSA"}

    with signbridge.Client(securosys_config(sim)) as client:
        hsm = client.securosys()
        label = new_label("role")
        hsm.create_key(label, spec=KeySpec.P256)
        sim.call("DELETE", "/_sim/securosys/requests")
        hsm.self_signed_certificate(label, cert("Default role"))
        # Seed 003: /v1/certificate/** is a key-operation endpoint.
        assert sim.securosys_log()[-1]["api_key_roles"] == ["keyOperationToken"]

        # A TSB on the newer documentation's table wants the key-management key.
        sim.call("PUT", "/_sim/securosys/auth", {"role_table": "newer"})
        with pytest.raises(signbridge.AuthError):
            hsm.self_signed_certificate(label, cert("Wrong role"))
    with signbridge.Client(securosys_config(sim, certificate_role="key_management")) as client:
        client.securosys().self_signed_certificate(label, cert("Newer role"))
        assert sim.securosys_log()[-1]["api_key_roles"] == ["keyManagementToken"]


def test_certificate_arguments_are_checked(sim: Sim, hsm: signbridge.Securosys) -> None:
    sim.call("DELETE", "/_sim/securosys/requests")

    def ss(**cert: Any) -> Callable[[], object]:
        return lambda: hsm.self_signed_certificate("k", cert)

    def csr(subject: Any, **rest: Any) -> Callable[[], object]:
        return lambda: hsm.certificate_signing_request(
            "k", {"subject": subject, "signature_algorithm": "EDDSA", **rest}
        )

    cases: list[tuple[Callable[[], object], str]] = [
        (ss(common_name="", signature_algorithm="SHA256_WITH_ECDSA"), "common_name"),
        (ss(common_name="CA", signature_algorithm="NONE_WITH_ECDSA"), "cannot sign"),
        (ss(common_name="CA", signature_algorithm="EDDSA", validity_days=0), "validity"),
        (ss(common_name="CA", signature_algorithm="EDDSA", key_usage=["DIGITAL_SIGNATURE"],
            certificate_authority=True), "KEY_CERT_SIGN"),
        (csr({"common_name": "x", "country": "Sweden"}), "subject.country"),
        (csr({"common_name": "x", "email": "nobody"}), "subject.email"),
        # Wrong types and shapes: the core's validation, with the path of the value.
        (ss(common_name="CA", signature_algorithm="EDDSA", validity_days=-1),
         "request.certificate.validity_days"),
        (ss(common_name="CA", signature_algorithm="EDDSA", key_usage="CRL_SIGN"),
         "request.certificate.key_usage"),
        (ss(common_name="CA", signature_algorithm="EDDSA", key_usage=[5]),
         "request.certificate.key_usage[0]"),
        (csr("x"), "request.csr.subject"),
        (ss(common_name="CA"), "signature_algorithm"),
    ]
    for i, (call, words) in enumerate(cases):
        with pytest.raises(signbridge.InvalidInput) as info:
            call()
        assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT, (i, info.value)
        assert words in info.value.message, (i, info.value.message)
    assert sim.securosys_log() == []


# ---- approver keys ----


def pem_of(der: bytes) -> str:
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def test_approver_keys_load_from_der_pem_and_files(tmp_path: Path) -> None:
    key, der = ApproverKey.generate_p256()
    assert isinstance(der, bytes)
    assert key.digest_algorithm == "SHA-256"
    assert base64.b64decode(key.public_key_b64) == key.public_key_der
    pem = pem_of(der)
    path = tmp_path / "approver.pem"
    path.write_text(pem)
    for loaded in (
        ApproverKey.from_pkcs8_der(der),
        ApproverKey.from_pem(pem),
        ApproverKey.from_pem(pem.encode()),
        ApproverKey.from_pem(path),
    ):
        assert loaded == key and hash(loaded) == hash(key)
    assert key != approvers(1)[0]
    secret_b64 = base64.b64encode(der).decode()
    assert secret_b64[20:60] not in repr(key)

    with pytest.raises(signbridge.InvalidInput) as not_pem:
        ApproverKey.from_pem("not a key")
    assert not_pem.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
    with pytest.raises(signbridge.InvalidInput) as missing:
        ApproverKey.from_pem(tmp_path / "missing.pem")
    assert missing.value.code is ErrorCode.SB_ERR_IO
    with pytest.raises(signbridge.InvalidInput):
        ApproverKey.from_pkcs8_der(b"\x30\x03garbage")


# ---- bad input ----


def test_bad_values_are_refused_before_sending(sim: Sim, hsm: signbridge.Securosys) -> None:
    sim.call("DELETE", "/_sim/securosys/requests")
    (approver,) = approvers(1)
    pk = approver.public_key_b64
    sim_missing = Path("/nonexistent/missing.bin")
    cases: list[tuple[Callable[[], object], ErrorCode, str]] = [
        (lambda: hsm.create_key("k", spec="p999"), ErrorCode.SB_ERR_INVALID_ARGUMENT,
         "request.spec"),
        (lambda: hsm.create_key("", spec=KeySpec.P256), ErrorCode.SB_ERR_INVALID_ARGUMENT,
         "label"),
        (lambda: hsm.create_key("k", spec=KeySpec.P256, policy=quorum_policy(2, {"a": pk})),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "quorum"),
        (lambda: hsm.create_key("k", spec=KeySpec.P256,
                                policy=quorum_policy(1, {"a": pk}, 30)),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "multiple of 60"),
        (lambda: hsm.create_key("k", spec=KeySpec.P256,
                                attributes={}),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "attributes.sign"),
        (lambda: hsm.synchronous_sign("k", "SHA256_WITH_RSA", payload=b"short",
                                      payload_kind="digest"),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "32 bytes"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload=b"x" * 32,
                                      payload_kind=PayloadKind.DIGEST),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "EDDSA"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload=b""),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "empty"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload=b"x", payload_kind="hashed"),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "request.payload_kind"),
        (lambda: hsm.verify("k", "EDDSA", payload=b"x", signature=b""),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "signature"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", path=sim_missing), ErrorCode.SB_ERR_IO,
         "missing.bin"),
        (lambda: hsm.request_status("../etc/passwd"), ErrorCode.SB_ERR_INVALID_ARGUMENT,
         "request id"),
        (lambda: hsm.list_approval_tasks(approver, page_size=0),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "page_size"),
        (lambda: hsm.list_approval_tasks(approver, kind="everything"),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "request.kind"),
        (lambda: hsm.sign("k", "EDDSA", payload=b"x", options={"metadata": {}}),
         ErrorCode.SB_ERR_NOT_FOUND, "not"),  # valid input: the TSB answers (sent)
        (lambda: hsm.wait_request("abc", interval_ms=1), ErrorCode.SB_ERR_INVALID_ARGUMENT,
         "interval"),
        (lambda: quorum_policy(-1, {"a": pk}), ErrorCode.SB_ERR_INVALID_ARGUMENT, "quorum"),
        (lambda: quorum_policy(1, [("a", 5)]), ErrorCode.SB_ERR_INVALID_ARGUMENT,
         "public_key_base64"),
        (lambda: hsm.create_key("k", spec="p256", policy={"ruleUse": {"tokens": "many"}}),
         ErrorCode.SB_ERR_INVALID_ARGUMENT, "request.policy.ruleUse.tokens"),
    ]
    sent_by_valid_case = 1
    for i, (call, code, words) in enumerate(cases):
        with pytest.raises(signbridge.SignbridgeError) as info:
            call()
        assert info.value.code is code, (i, info.value)
        assert words in info.value.message, (i, info.value.message)
    assert len(sim.securosys_log()) == sent_by_valid_case


def test_bad_argument_types(sim: Sim, hsm: signbridge.Securosys) -> None:
    sim.call("DELETE", "/_sim/securosys/requests")
    (approver,) = approvers(1)
    # A request value of a wrong type or shape is the core's InvalidInput, naming its path.
    refused: list[tuple[Callable[[], object], str]] = [
        (lambda: hsm.create_key(5, spec=KeySpec.P256), "request.label"),
        (lambda: hsm.create_key("k", algorithm=256), "request.algorithm"),
        (lambda: hsm.create_key("k", spec="p256", policy={"ruleUse": 5}),
         "request.policy.ruleUse"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload="text is not bytes"),
         "request.payload_base64"),
        (lambda: hsm.synchronous_sign("k", 5, payload=b"x"), "request.algorithm"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", payload=b"x", payload_kind=1),
         "request.payload_kind"),
        (lambda: hsm.synchronous_sign("k", "EDDSA", path=5), "request.path"),
        (lambda: hsm.verify("k", "EDDSA", payload=b"x", signature="sig"),
         "request.signature_base64"),
        (lambda: hsm.sign("k", "EDDSA", payload=b"x", options={"metadata": [1]}),
         "metadata must be a JSON object"),
        (lambda: hsm.request_status(5), "request.id"),
        (lambda: hsm.list_approval_tasks("not a key"), "approver"),
        (lambda: hsm.approve(approver, "task-id"), "request.task"),
        (lambda: hsm.reject(approver, 5), "request.task"),
        (lambda: hsm.wait_request("abc", interval_ms=-1), "interval"),
    ]
    for i, (call, words) in enumerate(refused):
        with pytest.raises(signbridge.InvalidInput) as info:
            call()
        assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT, (i, info.value)
        assert words in info.value.message, (i, info.value.message)
    assert sim.securosys_log() == [], "nothing is sent"

    # Python values that cannot become a request at all, and the hand-written builders' own
    # checks, are Python's TypeError / ValueError.
    cases: list[tuple[Callable[[], object], type[BaseException]]] = [
        (lambda: hsm.create_key("k", algorithm="EC", key_size=object()), TypeError),
        (lambda: hsm.wait_request("abc", on_progress=5), TypeError),
        (lambda: quorum_policy(1, "alice"), TypeError),
        (lambda: quorum_policy(1, ["a"]), TypeError),
        (lambda: ApproverKey.from_pem(5), TypeError),
    ]
    bad: list[tuple[int, object]] = []
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


def test_policy_round_trips(hsm: signbridge.Securosys) -> None:
    keys = approvers(3)
    pairs = [("alice", keys[0]), ("bob", keys[1].public_key_b64), ("carol", keys[2])]
    policy = quorum_policy(2, pairs, timeout=600)
    d: dict[str, Any] = dict(policy)
    group = d["ruleUse"]["tokens"][0]["groups"][0]
    assert group["quorum"] == 2
    assert [a["value"] for a in group["approvals"]] == [k.public_key_b64 for k in keys]
    label = new_label()
    # The key reports the policy it was given, in the same shape.
    info = hsm.create_key(label, spec=KeySpec.P256, policy=policy)
    got = info["policy"]
    assert got is not None and got == d
    # An edited copy of a reported policy is taken back as it is.
    info = hsm.create_key(new_label(), spec=KeySpec.P256, policy=json.loads(json.dumps(got)))
    assert info["policy"] == policy


# ---- the example program ----

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "securosys_approvals.py"


@pytest.mark.parametrize("mode", ["url", "starts-a-simulator"])
def test_example_program_runs(sim: Sim, tmp_path: Path, mode: str) -> None:
    doc = tmp_path / "contract.pdf"
    doc.write_bytes(DOCUMENT)
    args = [sys.executable, str(EXAMPLE), str(doc)]
    env = dict(os.environ)
    if mode == "url":
        args += ["--url", sim.url]
    else:
        env["SIGNBRIDGE_SIM_CMD"] = f"{sim_binary()} --port 0 --quiet"
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count(" approves signing {'document': 'contract.pdf'}") == 2, out.stdout
    assert "verified by the HSM" in out.stdout
    sig = Path(f"{doc}.sig").read_bytes()
    pem = Path(f"{doc}.pub.pem").read_text()
    assert openssl_verifies(KeySpec.RSA_2048, pem, DOCUMENT, sig, tmp_path)
