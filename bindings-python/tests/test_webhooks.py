"""Webhooks: deliveries from the simulator verified end to end, and the Flask and FastAPI examples
(bindings-python/examples/) serving real deliveries."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

import pytest

import signbridge
from signbridge import SIGNATURE_HEADER, ErrorCode, SessionStatus

from conftest import Receiver, Sim, config

SECRET = "whsec-sim-0001"  # the simulator's DEFAULT_WEBHOOK_SECRET
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def sign_v5(secret: str, t: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256)
    return f"t={t},v1={mac.hexdigest()}"


def tamper(body: bytes) -> bytes:
    event = json.loads(body)
    event["relay_state"] = "someone-else"
    return json.dumps(event).encode()


def post(url: str, header: str | None, body: bytes) -> int:
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    if header is not None:
        req.add_header(SIGNATURE_HEADER, header)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def until(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_header_constant_and_verifier_basics() -> None:
    assert SIGNATURE_HEADER == "X-ZignSec-Hmac-SHA256"
    v = signbridge.WebhookVerifier(["very-secret-value", SECRET], tolerance=60)
    assert v.tolerance == 60 and "very-secret-value" not in repr(v)
    with pytest.raises(signbridge.AuthError) as info:
        signbridge.WebhookVerifier([])
    assert info.value.code is ErrorCode.SB_ERR_AUTH_CONFIG_MISSING
    with pytest.raises(signbridge.AuthError):
        signbridge.WebhookVerifier([""])
    # A tolerance above one day would let old deliveries be replayed: refused, with the limit.
    assert signbridge.WebhookVerifier([SECRET], tolerance=86400).tolerance == 86400
    for absurd in (86401, 1e12, 1.8e19):
        with pytest.raises(signbridge.InvalidInput, match="86400") as too_long:
            signbridge.WebhookVerifier([SECRET], tolerance=absurd)
        assert too_long.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
    body = b'{"event":"session_finished","id":"x","relay_state":"r","result":{"status":"Finished","errors":[]}}'
    now = int(time.time())
    e = v.verify(sign_v5(SECRET, now, body), memoryview(body))
    assert isinstance(e, signbridge.WebhookEvent)
    assert e.event == "session_finished" and e.session_id == "x" and e.relay_state == "r"
    assert e.status is SessionStatus.FINISHED and e.status_text == "Finished"
    assert e.identity is None and e.errors == [] and e.integration_id is None
    assert e.raw["result"]["status"] == "Finished"
    # Stale and future timestamps are refused, as is a malformed header.
    for t in (now - 3600, now + 3600, 1_000_000_000):
        with pytest.raises(signbridge.WebhookReplay) as replay:
            v.verify(sign_v5(SECRET, t, body), body)
        assert replay.value.code is ErrorCode.SB_ERR_WEBHOOK_REPLAY
        assert isinstance(replay.value, signbridge.AuthError)
    assert signbridge.WebhookVerifier([SECRET], tolerance=7200).verify(
        sign_v5(SECRET, now - 3600, body), bytearray(body)
    ).event == "session_finished"
    for header in ("", "garbage", f"t={now}", "v1=00", f"t=abc,v1={'0' * 64}"):
        with pytest.raises(signbridge.WebhookInvalid) as invalid:
            v.verify(header, body)
        assert invalid.value.code is ErrorCode.SB_ERR_WEBHOOK_INVALID
        assert isinstance(invalid.value, signbridge.AuthError)


def test_a_missing_header_is_webhook_invalid_saying_missing() -> None:
    """request.headers.get(...) is None when the header is absent: that is an unsigned request
    (401), not a TypeError (a 500 in a web framework)."""
    v = signbridge.WebhookVerifier([SECRET])
    for header in (None, "", "  "):
        with pytest.raises(signbridge.WebhookInvalid, match="header is missing"):
            v.verify(header, b"{}")
        with pytest.raises(signbridge.WebhookInvalid, match="header is missing"):
            v.verify_legacy(header, b"{}")
    with pytest.raises(signbridge.WebhookInvalid, match="malformed"):
        v.verify("v1=00", b"{}")


def test_deliveries_verified_end_to_end(own_sim: Sim) -> None:
    """Two products; relay state intact; a redelivery after the receiver's 500 verifies; replay,
    tampered body and wrong secret refused."""
    # The simulator's clock runs 20x here (quick retries), so its timestamps drift ahead.
    verifier = signbridge.WebhookVerifier(["an-old-secret", SECRET], tolerance=3600)
    receiver = Receiver([200, 500])
    try:
        own_sim.call("PUT", "/_sim/clock", {"speed": 20})
        with signbridge.Client(config(own_sim)) as client:
            eid = client.zignsec_eid()
            s = eid.create(product="bankid_se", session={"webhook": receiver.url, "relay_state": "hook-se"})
            own_sim.identify_on_page(s["redirect_url"], "199001011234")

            sig, body, status = receiver.next()
            assert status == 200
            created = verifier.verify(sig, body)
            assert created.event == "session_created" and created.session_id == s["id"]
            assert created.integration_id == "Zignsec.v5.bankid_se"
            assert created.relay_state == "hook-se"

            sig, body, status = receiver.next()
            assert status == 500, "the first finished delivery was refused by the receiver"
            assert verifier.verify(sig, body).event == "session_finished"
            sig2, body2, status2 = receiver.next()
            assert status2 == 200 and body2 == body and sig2 != sig
            again = verifier.verify(sig2, body2)  # signed anew: not a replay
            assert again.relay_state == "hook-se"
            assert again.status is SessionStatus.FINISHED
            assert again.identity is not None
            assert again.identity.personal_number == "199001011234"
            assert again.identity.full_name == "Astrid Lindqvist"
            log = [w for w in own_sim.webhooks() if w["event"] == "session_finished"]
            assert [(w["attempt"], w["status"]) for w in log] == [(1, 500), (2, 200)]

            with pytest.raises(signbridge.WebhookReplay):
                verifier.verify(sig2, body2)
            with pytest.raises(signbridge.WebhookInvalid):
                verifier.verify(sig2, tamper(body2))
            with pytest.raises(signbridge.WebhookInvalid):
                signbridge.WebhookVerifier(["wrong"], tolerance=3600).verify(sig2, body2)

            # A second product: MitID, cancelled, delivered with its error.
            m = eid.create(product="mitid", session={"webhook": receiver.url, "relay_state": "hook-dk"})
            own_sim.identify_on_page(m["redirect_url"], "0101901234", action="cancel")
            assert verifier.verify(*receiver.next()[:2]).event == "session_created"
            sig3, body3, _ = receiver.next()
            with pytest.raises(signbridge.WebhookInvalid):
                signbridge.WebhookVerifier(["wrong"], tolerance=3600).verify(sig3, body3)
            cancelled = verifier.verify(sig3, body3)
            assert cancelled.relay_state == "hook-dk" and cancelled.session_id == m["id"]
            assert cancelled.status is SessionStatus.CANCELLED
            assert [e.code for e in cancelled.errors] == ["CANCELLED_BY_USER"]
            assert cancelled.integration_id == "Zignsec.v5.mitid"
            # The poll agrees with the pushed result.
            with pytest.raises(signbridge.SessionCancelled):
                eid.wait(m["id"], product="mitid", interval_ms=50, timeout_ms=10_000)
    finally:
        receiver.close()


def test_legacy_deliveries(sim: Sim, eid: signbridge.ZignsecEid, receiver: Receiver) -> None:
    sim.call("PUT", "/_sim/config", {"webhook_scheme": "legacy"})
    s = eid.create(product="bankid_se", session={"webhook": receiver.url, "relay_state": "legacy"})
    sig, body, _ = receiver.next()
    assert "t=" not in sig
    event = signbridge.WebhookVerifier([SECRET]).verify_legacy(sig, body)
    assert event.event == "session_created" and event.session_id == s["id"]
    assert event.relay_state == "legacy"
    with pytest.raises(signbridge.WebhookInvalid):
        signbridge.WebhookVerifier(["wrong"]).verify_legacy(sig, body)
    with pytest.raises(signbridge.WebhookInvalid):
        signbridge.WebhookVerifier([SECRET]).verify_legacy(sig, tamper(body))
    with pytest.raises(signbridge.WebhookInvalid):
        signbridge.WebhookVerifier([SECRET]).verify(sig, body)  # not a v5 header


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def flask_app() -> Iterator[tuple[str, list[signbridge.WebhookEvent], list[tuple[str, bytes]]]]:
    """The Flask example served by werkzeug on loopback: (its webhook URL, events it accepted,
    every delivery it received as (header, raw body))."""
    from flask import request
    from werkzeug.serving import make_server

    module = load_example("flask_webhook")
    events: list[signbridge.WebhookEvent] = []
    app = module.create_app(signbridge.WebhookVerifier([SECRET]), events.append)
    received: list[tuple[str, bytes]] = []

    @app.before_request
    def capture() -> None:
        received.append((request.headers.get(SIGNATURE_HEADER, ""), request.get_data()))

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}/zignsec/webhook", events, received
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_flask_example_authenticates_real_deliveries(
    sim: Sim,
    eid: signbridge.ZignsecEid,
    flask_app: tuple[str, list[signbridge.WebhookEvent], list[tuple[str, bytes]]],
) -> None:
    url, events, received = flask_app
    s = eid.create(product="bankid_se", session={"webhook": url, "relay_state": "order-flask"})
    sim.identify_on_page(s["redirect_url"], "198505152385")
    until(lambda: any(e.event == "session_finished" for e in events), "the finished event")
    finished = [e for e in events if e.event == "session_finished"][0]
    assert finished.relay_state == "order-flask" and finished.session_id == s["id"]
    assert finished.identity is not None and finished.identity.full_name == "Erik Johansson"
    assert {w["status"] for w in sim.webhooks()} == {200}

    header, body = received[-1]
    assert post(url, header, tamper(body)) == 401
    assert post(url, header, body) == 400  # the same delivery again: a replay
    assert post(url, None, body) == 401
    assert len(events) == 2


@pytest.fixture
def fastapi_app() -> Iterator[tuple[str, list[signbridge.WebhookEvent]]]:
    """The FastAPI example served by uvicorn on loopback, in a thread."""
    import uvicorn

    module = load_example("fastapi_webhook")
    events: list[signbridge.WebhookEvent] = []
    app = module.create_app(signbridge.WebhookVerifier([SECRET]), events.append)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    until(lambda: server.started, "uvicorn to start", timeout=10)
    try:
        yield f"http://127.0.0.1:{port}/zignsec/webhook", events
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_fastapi_example_authenticates_real_deliveries(
    sim: Sim,
    eid: signbridge.ZignsecEid,
    receiver: Receiver,
    fastapi_app: tuple[str, list[signbridge.WebhookEvent]],
) -> None:
    url, events = fastapi_app
    # Straight from the simulator to the app.
    m = eid.create(product="mitid", session={"webhook": url, "relay_state": "order-fastapi"})
    sim.identify_on_page(m["redirect_url"], "3112751235")
    until(lambda: any(e.event == "session_finished" for e in events), "the finished event")
    finished = [e for e in events if e.event == "session_finished"][0]
    assert finished.relay_state == "order-fastapi"
    assert finished.identity is not None and finished.identity.full_name == "Anders Sorensen"

    # A real delivery captured on the way, then presented to the app: accepted once, refused
    # when tampered or replayed.
    s = eid.create(product="bankid_no", session={"webhook": receiver.url, "relay_state": "captured"})
    header, body, _ = receiver.next()
    assert post(url, header, tamper(body)) == 401
    assert post(url, header, body) == 200
    assert post(url, header, body) == 400
    assert events[-1].session_id == s["id"] and events[-1].relay_state == "captured"

    # Deliveries signed with another secret are refused by the app (401), as the simulator logs.
    sim.call("PUT", "/_sim/config", {"webhook_secret": "not-the-apps-secret"})
    sim.call("DELETE", "/_sim/webhooks")
    count = len(events)
    eid.create(product="bankid_se", session={"webhook": url, "relay_state": "foreign"})
    until(lambda: any(w["status"] is not None for w in sim.webhooks()), "a delivery attempt")
    assert sim.webhooks()[0]["status"] == 401
    assert len(events) == count



# ---- many instances: a shared Redis replay store ----------------------------------


def test_verifiers_in_two_processes_sharing_redis_refuse_the_second_delivery() -> None:
    """Two verifiers in two processes share `replay_store_url`: a delivery the first accepted
    is a replay for the second. The test starts its own redis-server on a free loopback port
    (the Debian package, installed by `make deps`) and stops it; it is never skipped."""
    import shutil
    import subprocess
    import sys

    exe = shutil.which("redis-server")
    assert exe, "redis-server is missing: install the Debian package redis-server (make deps)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for i in range(500):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert i < 499, "redis-server did not listen"
                time.sleep(0.02)
        url = f"redis://127.0.0.1:{port}/"
        body = b'{"id":"7a0c","status":"Finished"}'
        t = int(time.time())
        header = f"t={t},v1={sign_v5(SECRET, t, body)}"
        here = signbridge.WebhookVerifier([SECRET], replay_store_url=url)
        here.verify(header, body)
        child = (
            "import sys, signbridge\n"
            f"v = signbridge.WebhookVerifier([{SECRET!r}], replay_store_url={url!r})\n"
            "try:\n"
            f"    v.verify({header!r}, {body!r}); print('accepted')\n"
            "except signbridge.SignbridgeError as e:\n"
            "    print(e.code.name)\n"
        )
        out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "SB_ERR_WEBHOOK_REPLAY", out
        # A separate memory (the default) would have accepted it.
        signbridge.WebhookVerifier([SECRET]).verify(header, body)
    finally:
        server.kill()
        server.wait()
    with pytest.raises(signbridge.SignbridgeError) as info:
        signbridge.WebhookVerifier([SECRET], replay_store_url="http://u:pw@host/")
    assert info.value.code is ErrorCode.SB_ERR_INVALID_CONFIG
    assert "pw" not in str(info.value)
