"""The Python log bridge is part of the secret scan: flows against the
simulator's `echo` fault (error answers that reflect the request's headers and body) with the
`signbridge` logger at DEBUG; no log record, exception text or repr may contain a configured
secret, its encodings (URL-encoded, base64 of `id:secret`) or a token the simulator issued —
opaque OneSpan Client App tokens included."""

from __future__ import annotations

import base64
import logging
import urllib.parse

import pytest

import signbridge

from conftest import ONESPAN_API_KEY, ONESPAN_CLIENT_APP, PRIMARY_KEY, Sim, config, onespan_config


def encodings(client_id: str, secret: str) -> list[str]:
    form = urllib.parse.quote_plus
    b64 = lambda v: base64.b64encode(v.encode()).decode()  # noqa: E731
    return [secret, form(secret), b64(f"{client_id}:{secret}"), b64(f"{form(client_id)}:{form(secret)}")]


def test_log_bridge_errors_and_reprs_never_show_a_secret(
    own_sim: Sim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="signbridge")
    texts: list[str] = []

    def failed(call: object) -> None:
        try:
            call()  # type: ignore[operator]
        except signbridge.SignbridgeError as e:
            texts.extend([str(e), repr(e), str(e.provider_description or "")])
        else:
            raise AssertionError("the echoed error answer was accepted")

    # ZignSec keys: the gateway echoes the refused request (the key header).
    own_sim.fault(kind="echo", status=400, path_prefix="/api/v5/sessions/signing", count=1)
    with signbridge.Client(config(own_sim)) as client:
        failed(lambda: client.zignsec_signing().create())
        texts.append(repr(client))

    # OneSpan Client App: the token endpoint echoes the secret, the API the opaque token.
    own_sim.call("PUT", "/_sim/onespan/auth", {"method": "client_app"})
    with signbridge.Client(onespan_config(own_sim, client_app=dict(ONESPAN_CLIENT_APP))) as client:
        onespan = client.onespan()
        own_sim.fault(kind="echo", status=401, path_prefix="/api/packages", count=2)
        failed(lambda: onespan.get_package("pkg-hygiene-1"))
        texts.append(repr(client))
    tokens = own_sim.call("GET", "/_sim/onespan/auth")["tokens"]
    assert any(not t.startswith("eyJ") for t in tokens), "an opaque token was issued"

    secrets = [PRIMARY_KEY, ONESPAN_API_KEY, *tokens]
    secrets += encodings(ONESPAN_CLIENT_APP["client_id"], ONESPAN_CLIENT_APP["secret"])
    logs = [r.getMessage() for r in caplog.records]
    assert any(r.name.startswith("signbridge") for r in caplog.records), "the bridge logged"
    leaks = [(s, t) for s in secrets for t in texts + logs if s in t]
    assert not leaks, leaks
