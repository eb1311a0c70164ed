"""Fixtures: one signbridge-sim process for the session (and fresh ones for clock tests),
control-API helpers, a browser on the hosted pages, a webhook receiver, sample PDFs."""

from __future__ import annotations

import http.server
import json
import os
import re
import queue
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import signbridge
from signbridge.call_types import ZignsecSignDocumentsResult

REPO = Path(__file__).resolve().parents[2]
PRIMARY_KEY = "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11"
SECONDARY_KEY = "8c2d4e6f-1a3b-4c5d-8e7f-90a1b2c3d4e5"
TEST_USER = {"personal_number": "06046517928", "otp": "otp", "password": "qwer1234"}
# The simulator's Securosys API keys, one per role (signbridge_sim::SECUROSYS_*), and its JWT.
SECUROSYS_KEYS = {
    "key_management": "sim-securosys-key-management-0001",
    "key_operation": "sim-securosys-key-operation-0001",
    "approver": "sim-securosys-approver-0001",
    "service": "sim-securosys-service-0001",
}
SECUROSYS_JWT = "sim-securosys-jwt-0001"
# The simulator's OneSpan credentials (signbridge_sim::ONESPAN_*).
ONESPAN_API_KEY = "c2JTaW1BY2N0MDAxOnNiU2ltU2VjcjAwMQ=="
ONESPAN_CLIENT_APP = {"client_id": "sim-onespan-client-app", "secret": "sim-onespan-app-secret-0001"}
ONESPAN_OAUTH2 = {"client_id": "sim-onespan-oauth-client", "client_secret": "sim-onespan-oauth-secret-0001"}


def sigint_default() -> None:
    """`preexec_fn` of the Ctrl-C tests' child processes: SIGINT back to its default action, so
    the child's Python installs its KeyboardInterrupt handler even when the test run itself was
    started with SIGINT ignored (a background job of a non-interactive shell, nohup, some CI
    runners)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def sample_pdf(title: str = "Contract", pages: int = 1) -> bytes:
    """A small valid PDF (same layout as the simulator's sample_pdf)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(pages))
    objects.append(
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} /Resources 3 0 R "
        f"/MediaBox [0 0 595 842] >>".encode()
    )
    objects.append(b"<< /Font << /F1 4 0 R >> /ProcSet [/PDF /Text] >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /Contents {6 + 2 * i} 0 R >>".encode())
        body = f"BT\n/F1 24 Tf\n72 760 Td\n({title}) Tj\n/F1 12 Tf\n0 -30 Td\n(Page {i + 1}) Tj\nET\n".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n\r\n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Sim:
    """A running signbridge-sim and its control API (`tls_url` and `tls_dir`: its two-way TLS
    listener and test PKI, when started with --tls-dir)."""

    def __init__(
        self,
        url: str,
        proc: subprocess.Popen[str],
        tls_url: Optional[str] = None,
        tls_dir: Optional[Path] = None,
    ) -> None:
        self.url = url
        self.proc = proc
        self.tls_url = tls_url
        self.tls_dir = tls_dir

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def fault(self, **spec: Any) -> None:
        self.call("POST", "/_sim/faults", spec)

    def complete(self, session_id: str, personal_number: Optional[str] = None) -> Any:
        body = {"personal_number": personal_number} if personal_number else {}
        return self.call("POST", f"/_sim/zignsec/signing/{session_id}/complete", body)

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.call("GET", "/_sim/requests")
        return result

    def sign_on_page(self, redirect_url: str, action: str = "sign") -> int:
        """Post the hosted signing page's form the way a browser does; returns the HTTP status."""
        form = dict(TEST_USER, action=action)
        req = urllib.request.Request(
            redirect_url, data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    def identify_on_page(
        self, redirect_url: str, personal_number: str, action: str = "identify"
    ) -> str:
        """Open the hosted eID page and post its form the way a browser does; returns where the
        browser is sent next (the Location of the 303, not followed), or "" without one."""
        with urllib.request.urlopen(redirect_url, timeout=10) as page:
            html = page.read().decode()
        m = re.search(r'<form[^>]*action="([^"]*)"', html)
        assert m, html
        target = urllib.parse.urljoin(redirect_url, m.group(1).replace("&amp;", "&"))
        form = urllib.parse.urlencode({"personal_number": personal_number, "action": action})
        req = urllib.request.Request(target, data=form.encode(), method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with _NO_REDIRECTS.open(req, timeout=10) as resp:
                assert resp.status == 200, resp.status
                return ""
        except urllib.error.HTTPError as e:
            assert e.code == 303, (e.code, e.read())
            return str(e.headers["Location"])

    def webhooks(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.call("GET", "/_sim/webhooks")
        return result

    def reset(self) -> None:
        self.call("DELETE", "/_sim/faults")
        self.call("PUT", "/_sim/zignsec/keys", {"keys": [PRIMARY_KEY, SECONDARY_KEY]})
        self.call(
            "PUT",
            "/_sim/config",
            {"media_base_url": None, "webhook_secret": None, "webhook_scheme": None},
        )
        self.call("DELETE", "/_sim/webhooks")
        self.call(
            "PUT",
            "/_sim/securosys/auth",
            {"require_jwt": False, "accept_oauth": False, "role_table": "default"},
        )
        self.call("PUT", "/_sim/onespan/auth", {"method": "api_key"})

    def onespan_sign(self, package_id: str, role_id: str) -> Any:
        """The signer of `role_id` signs every document of the package (as on the signing page)."""
        role = urllib.parse.quote(role_id, safe="")
        pid = urllib.parse.quote(package_id, safe="")
        return self.call("POST", f"/_sim/onespan/packages/{pid}/roles/{role}/sign", {})

    def onespan_decline(self, package_id: str, role_id: str, reason: str) -> Any:
        role = urllib.parse.quote(role_id, safe="")
        pid = urllib.parse.quote(package_id, safe="")
        return self.call(
            "POST", f"/_sim/onespan/packages/{pid}/roles/{role}/decline", {"reason": reason}
        )

    def securosys_log(self) -> list[dict[str, Any]]:
        """The simulator's log of /v1/ requests: the roles of the keys each one carried."""
        result: list[dict[str, Any]] = self.call("GET", "/_sim/securosys/requests")
        return result


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def sim_binary() -> Path:
    env = os.environ.get("SIGNBRIDGE_SIM_BIN")
    if env:
        return Path(env)
    return REPO / "target" / "debug" / "signbridge-sim"


def start_sim(tls_dir: Optional[Path] = None) -> Sim:
    """Start signbridge-sim on a free port; with `tls_dir`, also its two-way TLS listener (the
    simulator writes its test PKI there)."""
    binary = sim_binary()
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `cargo build -p signbridge-sim` first")
    args = [str(binary), "--port", "0", "--quiet"]
    if tls_dir is not None:
        args += ["--tls-dir", str(tls_dir)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    prefix = "signbridge-sim listening on "
    if not line.startswith(prefix):
        proc.kill()
        pytest.fail(f"unexpected first line from signbridge-sim: {line!r}")
    tls_url = None
    if tls_dir is not None:
        tls_line = proc.stdout.readline().strip()
        m = re.match(r"signbridge-sim tls listening on (https://\S+)", tls_line)
        if not m:
            proc.kill()
            pytest.fail(f"unexpected second line from signbridge-sim: {tls_line!r}")
        tls_url = m.group(1)
    return Sim(line[len(prefix):], proc, tls_url, tls_dir)


def stop_sim(s: Sim) -> None:
    s.proc.terminate()
    s.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    s = start_sim()
    try:
        yield s
    finally:
        stop_sim(s)


@pytest.fixture
def own_sim() -> Iterator[Sim]:
    """A simulator of the test's own, for tests that change its clock (which cannot be undone)."""
    s = start_sim()
    try:
        yield s
    finally:
        stop_sim(s)


@pytest.fixture(scope="module")
def tls_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """A simulator of the module's own with its two-way TLS listener (--tls-dir; the test CA and
    client certificates are in `tls_sim.tls_dir`)."""
    s = start_sim(tmp_path_factory.mktemp("pki"))
    try:
        yield s
    finally:
        stop_sim(s)


@pytest.fixture(autouse=True)
def _clean_sim(request: pytest.FixtureRequest) -> Iterator[None]:
    if "sim" in request.fixturenames:
        s: Sim = request.getfixturevalue("sim")
        s.reset()
        yield
        s.reset()
    else:
        yield


def config(sim: Sim, keys: Optional[list[str]] = None, **transport: Any) -> dict[str, Any]:
    t = {"backoff_base_ms": 20, "backoff_max_ms": 100}
    t.update(transport)
    return {
        "zignsec": {"base_url": sim.url, "keys": keys or [PRIMARY_KEY, SECONDARY_KEY]},
        "transport": t,
    }


def securosys_config(
    sim: Sim, api_keys: Optional[dict[str, Any]] = None, **securosys: Any
) -> dict[str, Any]:
    """A configuration of the simulated TSB with one key per role (or `api_keys`)."""
    keys = api_keys if api_keys is not None else {r: [k] for r, k in SECUROSYS_KEYS.items()}
    return {
        "securosys": {"base_url": sim.url, "api_keys": keys, **securosys},
        "transport": {"backoff_base_ms": 20, "backoff_max_ms": 100},
    }


def onespan_config(sim: Sim, **auth: Any) -> dict[str, Any]:
    """A configuration of the simulated OneSpan account (the API key unless `auth` says)."""
    credentials = auth or {"api_key": ONESPAN_API_KEY}
    return {
        "onespan": {"base_url": sim.url, **credentials},
        "transport": {"backoff_base_ms": 20, "backoff_max_ms": 100},
    }


@pytest.fixture
def hsm(sim: Sim) -> Iterator[signbridge.Securosys]:
    with signbridge.Client(securosys_config(sim)) as c:
        yield c.securosys()


@pytest.fixture
def client(sim: Sim) -> Iterator[signbridge.Client]:
    with signbridge.Client(config(sim)) as c:
        yield c


@pytest.fixture
def signing(client: signbridge.Client) -> signbridge.ZignsecSigning:
    return client.zignsec_signing()


@pytest.fixture
def eid(client: signbridge.Client) -> signbridge.ZignsecEid:
    return client.zignsec_eid()


@pytest.fixture
def pdf() -> bytes:
    return sample_pdf()


@pytest.fixture
def pending(signing: signbridge.ZignsecSigning, pdf: bytes) -> ZignsecSignDocumentsResult:
    """A started (Pending) single-document session."""
    return signing.sign_documents([{"data_base64": pdf, "name": "contract.pdf"}])  # type: ignore[typeddict-item]


class Receiver:
    """A webhook receiver on loopback: answers with `statuses` in turn (then 200) and keeps every
    delivery as (signature header, raw body, status answered)."""

    def __init__(self, statuses: Optional[list[int]] = None) -> None:
        self.statuses = list(statuses or [])
        self.deliveries: "queue.Queue[tuple[str, bytes, int]]" = queue.Queue()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sig = self.headers.get(signbridge.SIGNATURE_HEADER, "")
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.deliveries.put((sig, body, status))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def next(self, timeout: float = 15) -> tuple[str, bytes, int]:
        return self.deliveries.get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()
