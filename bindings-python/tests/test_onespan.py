"""OneSpan Sign's own operations through the Python API (``client.onespan()``, the facade
generated from the operation table), against the simulator: downloads (signed document,
original, ZIP, evidence), audit, listing page by page and as an iterator, trash/restore/delete,
callbacks with the verifier, and the three authentication methods."""
# The bad-argument cases pass wrong types on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, list-item"

from __future__ import annotations

import http.server
import io
import json
import logging
import queue
import threading
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional, cast

import pytest

import signbridge
from signbridge import (
    CallbackEventName,
    CallbackVerifier,
    ErrorCode,
    PackageSigningStatus,
    PackageStatus,
)
from signbridge.call_types import SigningStartResult

from conftest import (
    ONESPAN_API_KEY,
    ONESPAN_CLIENT_APP,
    ONESPAN_OAUTH2,
    Sim,
    onespan_config,
    sample_pdf,
)

CONTRACT = sample_pdf("Contract")
APPENDIX = sample_pdf("Appendix", pages=2)


@pytest.fixture
def client(sim: Sim) -> Iterator[signbridge.Client]:
    with signbridge.Client(onespan_config(sim)) as c:
        yield c


def start(client: signbridge.Client, title: Optional[str] = None,
          signers: int = 1) -> SigningStartResult:
    people: Any = [{"first_name": f"Signer{i}", "last_name": "Test", "email": f"s{i}@example.com"}
                   for i in range(signers)]
    documents: Any = [{"base64": CONTRACT, "name": "contract.pdf"},
                      {"base64": APPENDIX, "name": "appendix.pdf"}]
    return client.signing().start(
        documents=documents,
        signers=people,
        title=title or f"Deal {uuid.uuid4().hex[:8]}",
    )


def package_id(started: SigningStartResult) -> str:
    """The OneSpan transaction id of a started session (its reference after `onespan:`)."""
    return started["id"].split(":", 1)[1]


def signed_package(client: signbridge.Client, sim: Sim) -> str:
    started = start(client)
    sim.onespan_sign(package_id(started), "signer1")
    client.signing().wait(started["id"], interval_ms=100, timeout_ms=30_000)
    return package_id(started)


def test_package_status_url_and_audit(client: signbridge.Client, sim: Sim) -> None:
    onespan = client.onespan()
    started = start(client, signers=2)
    pid = package_id(started)
    pkg = onespan.get_package(pid)
    assert pkg["id"] == pid and pkg["status"] == PackageStatus.SENT and pkg["status"] == "SENT"
    assert pkg["sessionStatus"] == signbridge.SessionStatus.PENDING and not pkg["isTerminal"]
    assert [r["id"] for r in pkg["roles"] if r["type"] == "SIGNER"] == ["signer1", "signer2"]
    signer_role = [r for r in pkg["roles"] if r["id"] == "signer1"][0]
    assert signer_role["signers"][0]["email"] == "s0@example.com"
    assert [d["name"] for d in pkg["documents"] if d["id"] != "default-consent"] == [
        "contract.pdf", "appendix.pdf"]
    assert isinstance(pkg, dict) and pkg["id"] == pid
    assert onespan.status(pid) == PackageStatus.SENT
    assert onespan.signing_url(pid, "signer1") == started["signers"][0]["url"]
    assert onespan.signing_status(pid) == PackageSigningStatus.SIGNING_PENDING

    sim.onespan_sign(pid, "signer1")
    assert onespan.signing_status(pid, signer_id="signer1") == \
        PackageSigningStatus.SIGNING_COMPLETED
    assert onespan.signing_status(pid, signer_id="signer2") == \
        PackageSigningStatus.SIGNING_PENDING
    sim.onespan_sign(pid, "signer2")
    done = onespan.wait(pid, interval_ms=100, timeout_ms=30_000)
    assert done["status"] == PackageStatus.COMPLETED and done["isTerminal"]
    approvals = [a for d in done["documents"] for a in d["approvals"]]
    assert approvals and all(a["signed"] for a in approvals)

    kinds = [e["kind"] for e in onespan.audit(pid)["events"]]
    assert kinds[0] == "Create" and kinds.count("Sign") >= 2 and "Complete" in kinds


def test_downloads_to_memory_and_files(
    client: signbridge.Client, sim: Sim, tmp_path: Path
) -> None:
    onespan = client.onespan()
    pid = signed_package(client, sim)
    docs = {d["name"]: d["id"] for d in onespan.get_package(pid)["documents"]}
    contract_id = docs["contract.pdf"]

    signed = onespan.download(pid, "document", document_id=contract_id)
    signed_data = signed["content"]
    assert signed["file_name"] and signed["file_name"].endswith(".pdf")
    assert signed_data is not None and signed_data.startswith(CONTRACT[:-10])
    assert signed["bytes"] == len(signed_data) > len(CONTRACT)
    original = onespan.download(pid, "original", document_id=contract_id)
    assert original["content"] == CONTRACT

    z = onespan.download(pid, "zip")
    zip_data = z["content"]
    assert z["file_name"] and z["file_name"].endswith(".zip") and zip_data is not None
    with zipfile.ZipFile(io.BytesIO(zip_data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert "contract.pdf" in names and "appendix.pdf" in names, names
        assert archive.read("contract.pdf") == signed_data

    evidence = onespan.download(pid, "evidence_summary")["content"]
    assert evidence is not None
    assert evidence.startswith(b"%PDF-") and b"%%EOF" in evidence[-32:]

    target = tmp_path / "signed-contract.pdf"
    to_file = onespan.download(pid, "document", document_id=contract_id, path=target)
    assert to_file["bytes"] == len(signed_data) and to_file["content"] is None
    assert target.read_bytes() == signed_data
    into = onespan.download(pid, "zip", dir=tmp_path / "zips")["path"]
    assert into is not None and Path(into).parent == tmp_path / "zips"
    assert Path(into).read_bytes() == zip_data

    with pytest.raises(signbridge.NotFound):
        onespan.download(pid, "document", document_id="no-such-document")
    # What to download is one of the table's values; another is refused before any request.
    with pytest.raises(signbridge.InvalidInput) as kind:
        onespan.download(pid, cast(Any, "everything"))
    assert kind.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT and "kind" in kind.value.message


def test_listing_by_pages_and_as_a_python_iterator(client: signbridge.Client, sim: Sim) -> None:
    tag = uuid.uuid4().hex[:8]
    ids = {package_id(start(client, title=f"List {tag} {i}")) for i in range(7)}
    onespan = client.onespan()
    sim.call("DELETE", "/_sim/requests")
    packages = onespan.packages(search=f"List {tag}", page_size=3, sort="name")
    assert iter(packages) is packages
    assert sim.requests() == [], "nothing is fetched before the first item"
    first = next(packages)
    rest = list(packages)
    assert {p["id"] for p in [first, *rest]} == ids
    assert [p["name"] for p in [first, *rest]] == sorted(p["name"] for p in [first, *rest])
    with pytest.raises(StopIteration):
        next(packages)
    pages = [r for r in sim.requests() if r["path"] == "/api/packages"]
    assert len(pages) == 3, "three pages of 3, 3 and 1"
    page = onespan.list(search=f"List {tag}", page_size=3, sort="name")
    assert page["total"] == 7 and len(page["packages"]) == 3 and page["next_from"] == 4
    last = onespan.list(from_=7, search=f"List {tag}", page_size=3, sort="name")
    assert len(last["packages"]) == 1 and last["next_from"] is None

    descending = [p["name"] for p in onespan.packages(search=f"List {tag}", sort="name",
                                                      sort_order="desc")]
    assert descending == sorted(descending, reverse=True)
    assert all(p["status"] == PackageStatus.SENT
               for p in onespan.packages(status=PackageStatus.SENT, search=f"List {tag}"))
    assert list(onespan.packages(status="DRAFT", search=f"List {tag}")) == []

    with pytest.raises(signbridge.InvalidInput):
        next(onespan.packages(page_size=500))
    with pytest.raises(signbridge.InvalidInput):
        onespan.list(page_size=-1)


def test_trash_restore_archive_delete(client: signbridge.Client, sim: Sim) -> None:
    onespan = client.onespan()
    signing = client.signing()
    started = start(client)
    pid = package_id(started)
    onespan.trash(pid)
    assert onespan.get_package(pid)["trashed"]
    with pytest.raises(signbridge.SessionCancelled) as trashed:
        signing.wait(started["id"], interval_ms=100, timeout_ms=30_000)
    assert trashed.value.provider_code == "TRASHED"
    onespan.restore(pid)
    assert not onespan.get_package(pid)["trashed"]
    sim.onespan_sign(pid, "signer1")
    assert signing.wait(started["id"], interval_ms=100, timeout_ms=30_000)["files"]
    onespan.archive(pid)
    assert onespan.status(pid) == PackageStatus.ARCHIVED
    onespan.delete(pid)
    with pytest.raises(signbridge.NotFound) as gone:
        onespan.get_package(pid)
    assert gone.value.code is ErrorCode.SB_ERR_NOT_FOUND and gone.value.http_status == 404
    with pytest.raises(signbridge.NotFound):
        signing.status(started["id"])


# ---- callbacks ----


class CallbackReceiver:
    """Receives OneSpan callbacks on loopback, keeping (Authorization header, raw body)."""

    def __init__(self) -> None:
        self.deliveries: "queue.Queue[tuple[Optional[str], bytes]]" = queue.Queue()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.deliveries.put((self.headers.get("Authorization"), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/onespan/callback"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def until(self, name: str, package_id: str) -> tuple[Optional[str], bytes]:
        while True:
            auth, body = self.deliveries.get(timeout=15)
            event = json.loads(body)
            if event.get("name") == name and event.get("packageId") == package_id:
                return auth, body

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(sim: Sim) -> Iterator[CallbackReceiver]:
    r = CallbackReceiver()
    try:
        yield r
    finally:
        r.close()
        # The registration is account-wide: remove it for the other tests.
        req = urllib.request.Request(sim.url + "/api/callback", method="DELETE")
        req.add_header("Authorization", f"Basic {ONESPAN_API_KEY}")
        urllib.request.urlopen(req, timeout=10).close()


def test_callbacks_verified_with_the_right_key_only(
    client: signbridge.Client, sim: Sim, receiver: CallbackReceiver
) -> None:
    key = "callback-key-4f9a2c"
    onespan = client.onespan()
    onespan.register_callback(
        receiver.url, key,
        [CallbackEventName.PACKAGE_COMPLETE, "SIGNER_COMPLETE", CallbackEventName.PACKAGE_DECLINE],
    )
    reg = onespan.get_callback()
    assert reg["url"] == receiver.url
    assert set(reg["events"]) == {CallbackEventName.PACKAGE_COMPLETE,
                                  CallbackEventName.SIGNER_COMPLETE,
                                  CallbackEventName.PACKAGE_DECLINE}
    assert key not in repr(reg)

    pid = signed_package(client, sim)
    auth, body = receiver.until("PACKAGE_COMPLETE", pid)
    verifier = CallbackVerifier([key])
    event = verifier.verify(auth, body)
    assert event.name is CallbackEventName.PACKAGE_COMPLETE and event.name_text == "PACKAGE_COMPLETE"
    assert event.package_id == pid and event.raw["packageId"] == pid
    assert client.onespan().get_package(event.package_id)["status"] == PackageStatus.COMPLETED

    # During a rotation both keys are accepted.
    assert CallbackVerifier(["new-key", key]).verify(auth, bytearray(body)).package_id == pid
    for wrong, header in [(CallbackVerifier(["another-key"]), auth),
                          (verifier, None), (verifier, "Bearer " + key), (verifier, "Basic ")]:
        with pytest.raises(signbridge.WebhookInvalid) as info:
            wrong.verify(header, body)
        assert info.value.code is ErrorCode.SB_ERR_WEBHOOK_INVALID
        assert key not in str(info.value)
    with pytest.raises(signbridge.TransportError) as junk:
        verifier.verify(auth, b"not json")
    assert junk.value.code is ErrorCode.SB_ERR_PROTOCOL
    assert key not in repr(verifier)

    # A decline carries its reason.
    started = start(client)
    sim.onespan_decline(package_id(started), "signer1", "not today")
    _, body = receiver.until("PACKAGE_DECLINE", package_id(started))
    declined = verifier.verify(f"Basic {key}", body)
    assert declined.message == "not today" and declined.session_user

    # An event this version does not know, from a body authenticated otherwise.
    other = signbridge.parse_callback(b'{"name": "COBROWSE_REQUEST", "packageId": "p="}')
    assert other.name is CallbackEventName.OTHER and other.name_text == "COBROWSE_REQUEST"


def test_callback_arguments_are_checked(client: signbridge.Client) -> None:
    onespan = client.onespan()
    for call, code in [
        (lambda: onespan.register_callback("not a url", "k", ["PACKAGE_COMPLETE"]),
         ErrorCode.SB_ERR_INVALID_ARGUMENT),
        (lambda: onespan.register_callback("http://127.0.0.1:9/cb", " k ", ["PACKAGE_COMPLETE"]),
         ErrorCode.SB_ERR_INVALID_ARGUMENT),
        (lambda: onespan.register_callback("http://127.0.0.1:9/cb", "k", []),
         ErrorCode.SB_ERR_INVALID_ARGUMENT),
    ]:
        with pytest.raises(signbridge.InvalidInput) as info:
            call()
        assert info.value.code is code
    # Wrong types and values are the core's SB_ERR_INVALID_ARGUMENT, before any request.
    for wrong in [
        lambda: onespan.register_callback("http://x/cb", "k", "PACKAGE_COMPLETE"),
        lambda: onespan.register_callback("http://x/cb", "k", [5]),
        lambda: onespan.register_callback("http://x/cb", "k", [CallbackEventName.OTHER]),
        lambda: onespan.download("p", "zip", document_id=5),
        lambda: onespan.get_package(5),
    ]:
        with pytest.raises(signbridge.InvalidInput) as info:
            wrong()
        assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
    for bad, exc in [
        (lambda: CallbackVerifier("single-key"), TypeError),
        (lambda: CallbackVerifier([]), ValueError),
        (lambda: CallbackVerifier(["k"]).verify("Basic k", "text body"), TypeError),
    ]:
        with pytest.raises(exc):
            bad()


# ---- authentication methods ----


@pytest.mark.parametrize("method", ["api_key", "client_app", "oauth2"])
def test_each_authentication_method(
    sim: Sim, method: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1, logger="signbridge")
    sim.call("PUT", "/_sim/onespan/auth", {"method": method})
    by_method: dict[str, dict[str, Any]] = {
        "api_key": {"api_key": ONESPAN_API_KEY},
        "client_app": {"client_app": dict(ONESPAN_CLIENT_APP)},
        "oauth2": {"oauth2": dict(ONESPAN_OAUTH2)},
    }
    credentials = by_method[method]
    with signbridge.Client(onespan_config(sim, **credentials)) as client:
        pid = signed_package(client, sim)
        assert client.onespan().status(pid) == PackageStatus.COMPLETED
    state = sim.call("GET", "/_sim/onespan/auth")
    if method == "client_app":
        assert state["client_app_tokens_issued"] == 1
    if method == "oauth2":
        assert state["oauth_tokens_issued"] == 1

    # Another method's credentials are refused while this one is active.
    other = "client_app" if method == "api_key" else "api_key"
    other_creds = {"api_key": {"api_key": ONESPAN_API_KEY},
                   "client_app": {"client_app": dict(ONESPAN_CLIENT_APP)}}[other]
    with signbridge.Client(onespan_config(sim, **other_creds)) as client:
        with pytest.raises(signbridge.AuthError) as refused:
            client.onespan().get_package(pid)
    assert refused.value.code is ErrorCode.SB_ERR_AUTH

    # A wrong secret is an authentication error that never shows the secret.
    wrong = "wrong-onespan-secret-93c1"
    bad_by_method: dict[str, dict[str, Any]] = {
        "api_key": {"api_key": wrong},
        "client_app": {"client_app": {**ONESPAN_CLIENT_APP, "secret": wrong}},
        "oauth2": {"oauth2": {**ONESPAN_OAUTH2, "client_secret": wrong}},
    }
    bad_creds = bad_by_method[method]
    with signbridge.Client(onespan_config(sim, **bad_creds)) as client:
        with pytest.raises(signbridge.AuthError) as info:
            client.onespan().get_package(pid)
        texts = [str(info.value), repr(info.value), info.value.provider_description or "",
                 repr(client)]
    assert info.value.code is ErrorCode.SB_ERR_AUTH
    texts += [r.getMessage() for r in caplog.records]
    for secret in (wrong, ONESPAN_API_KEY, ONESPAN_CLIENT_APP["secret"],
                   ONESPAN_OAUTH2["client_secret"]):
        for text in texts:
            assert secret not in text, text


def test_credentials_from_files_and_config_errors(sim: Sim, tmp_path: Path) -> None:
    key_file = tmp_path / "onespan.key"
    key_file.write_text(ONESPAN_API_KEY + "\n")
    with signbridge.Client(onespan_config(sim, api_key={"file": key_file})) as client:
        pkg = client.onespan().get_package(package_id(start(client)))
        assert pkg["status"] == PackageStatus.SENT
    with pytest.raises(signbridge.InvalidInput) as two:
        signbridge.Client(onespan_config(sim, api_key="k", oauth2=dict(ONESPAN_OAUTH2)))
    assert two.value.code is ErrorCode.SB_ERR_INVALID_CONFIG
    assert ONESPAN_OAUTH2["client_secret"] not in str(two.value)
    with pytest.raises(signbridge.AuthError) as none:
        signbridge.Client({"onespan": {"base_url": sim.url}})
    assert none.value.code is ErrorCode.SB_ERR_AUTH_CONFIG_MISSING
    with signbridge.Client(zignsec={"base_url": sim.url, "keys": ["k"]}) as zs_only:
        with pytest.raises(signbridge.AuthError) as missing:
            zs_only.onespan()
    assert missing.value.code is ErrorCode.SB_ERR_AUTH_CONFIG_MISSING


def test_logs_name_no_credentials(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="signbridge")
    sim.call("PUT", "/_sim/onespan/auth", {"method": "oauth2", "oauth_lifetime_s": 60})
    with signbridge.Client(onespan_config(sim, oauth2=dict(ONESPAN_OAUTH2))) as client:
        start(client)
        sim.call("POST", "/_sim/onespan/auth/revoke_tokens")
        start(client)  # the revoked token is replaced and the call repeated
    messages = [r.getMessage() for r in caplog.records]
    assert messages, "the token refresh was logged"
    for m in messages:
        assert ONESPAN_OAUTH2["client_secret"] not in m
