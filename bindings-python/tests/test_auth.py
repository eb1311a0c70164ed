"""ZignSec authentication beyond the subscription key, through the Python configuration (a dict or
keyword arguments), against a simulator started with --tls-dir: OAuth2 client credentials (a
bearer token with the product key) and two-way TLS (client certificate + ca_file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import signbridge
from signbridge import ErrorCode

from conftest import PRIMARY_KEY, SECONDARY_KEY, Sim

CLIENT_ID = "signbridge-sim-client"
CLIENT_SECRET = "sim-client-secret-0001"


@pytest.fixture(autouse=True)
def _bearer_off(tls_sim: Sim) -> Iterator[None]:
    """Every test starts and ends with the bearer optional and no faults."""
    tls_sim.call("PUT", "/_sim/zignsec/auth", {"require_bearer": False})
    yield
    tls_sim.call("PUT", "/_sim/zignsec/auth", {"require_bearer": False})
    tls_sim.call("DELETE", "/_sim/faults")


def require_bearer(sim: Sim) -> None:
    sim.call("PUT", "/_sim/zignsec/auth", {"require_bearer": True})


def tokens_issued(sim: Sim) -> int:
    return int(sim.call("GET", "/_sim/oauth")["tokens_issued"])


def oauth2(secret: Any = CLIENT_SECRET, **extra: Any) -> dict[str, Any]:
    return {"client_id": CLIENT_ID, "client_secret": secret, **extra}


def pki(sim: Sim, name: str) -> Path:
    assert sim.tls_dir is not None
    path = sim.tls_dir / name
    assert path.is_file(), path
    return path


def mtls_client(
    sim: Sim, client_cert: Optional[dict[str, Any]], ca_file: Optional[Path] = None, **zignsec: Any
) -> signbridge.Client:
    """A client of the simulator's two-way TLS listener, built from keyword arguments."""
    assert sim.tls_url is not None
    z: dict[str, Any] = {"base_url": sim.tls_url, "keys": [PRIMARY_KEY], **zignsec}
    if client_cert is not None:
        z["client_cert"] = client_cert
    transport: dict[str, Any] = {"max_attempts": 1}
    if ca_file is not None:
        transport["ca_file"] = ca_file  # a pathlib.Path works as well as a str
    return signbridge.Client(zignsec=z, transport=transport)


# ---- OAuth2 ----


def test_bearer_token_with_the_product_key_one_token_for_many_calls(tls_sim: Sim) -> None:
    require_bearer(tls_sim)
    # Keys alone are now refused.
    with signbridge.Client(zignsec={"base_url": tls_sim.url, "keys": [PRIMARY_KEY]}) as keys_only:
        with pytest.raises(signbridge.AuthError) as refused:
            keys_only.zignsec_signing().create()
    assert refused.value.code is ErrorCode.SB_ERR_AUTH

    tls_sim.call("DELETE", "/_sim/oauth")
    tls_sim.call("DELETE", "/_sim/requests")
    assert tokens_issued(tls_sim) == 0
    with signbridge.Client(
        zignsec={
            "base_url": tls_sim.url,
            "keys": [PRIMARY_KEY, SECONDARY_KEY],
            "oauth2": oauth2(client_auth="basic"),
        },
        transport={"backoff_base_ms": 10},
    ) as client:
        signing = client.zignsec_signing()
        session = signing.create(relay_state="py-oauth2")
        for _ in range(5):
            assert signing.status(session["id"])["id"] == session["id"]
    assert tokens_issued(tls_sim) == 1, "the token is cached and reused"
    # Both headers went out on every API call.
    api = [r for r in tls_sim.requests() if str(r["path"]).startswith("/api/")]
    assert len(api) >= 6
    for r in api:
        assert "authorization" in r["headers"] and "zs-product-key" in r["headers"], r


def test_wrong_client_secret_is_an_auth_error_with_the_provider_code(tls_sim: Sim) -> None:
    require_bearer(tls_sim)
    secret = "definitely-wrong-client-secret-42"
    client = signbridge.Client(
        {"zignsec": {"base_url": tls_sim.url, "keys": [PRIMARY_KEY], "oauth2": oauth2(secret)}}
    )
    with pytest.raises(signbridge.AuthError) as info:
        client.zignsec_signing().create()
    e = info.value
    assert e.code is ErrorCode.SB_ERR_AUTH and e.name == "SB_ERR_AUTH"
    assert e.provider_code == "invalid_client"
    assert e.http_status == 401
    assert not e.retryable
    assert "oauth2.client_secret" in e.message
    for text in (str(e), repr(e), e.message, e.provider_description or "", repr(client)):
        assert secret not in text, text
    client.close()


def test_client_secret_from_a_file(tls_sim: Sim, tmp_path: Path) -> None:
    require_bearer(tls_sim)
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(f"{CLIENT_SECRET}\n")
    for secret in ({"file": str(secret_file)}, {"file": secret_file}):
        with signbridge.Client(
            zignsec={
                "base_url": tls_sim.url,
                "keys": [PRIMARY_KEY],
                "oauth2": oauth2(secret, client_auth="post"),
            }
        ) as client:
            assert client.zignsec_signing().create()["status"] == "Created"

    # A missing file is a configuration error naming the field (not the path's contents).
    missing = {"file": str(tmp_path / "nope")}
    with pytest.raises(signbridge.SignbridgeError) as info:
        with signbridge.Client(
            zignsec={"base_url": tls_sim.url, "keys": [PRIMARY_KEY], "oauth2": oauth2(missing)}
        ) as client:
            client.zignsec_signing().create()
    assert info.value.code is ErrorCode.SB_ERR_INVALID_CONFIG
    assert "oauth2.client_secret" in info.value.message


def test_subscription_key_from_a_file(tls_sim: Sim, tmp_path: Path) -> None:
    key_file = tmp_path / "zs-key"
    key_file.write_text(f"  {PRIMARY_KEY}\n")
    with signbridge.Client(
        zignsec={"base_url": tls_sim.url, "keys": [{"file": key_file}]}
    ) as client:
        client.zignsec_signing().create()


# ---- two-way TLS ----


def test_two_way_tls_with_the_client_certificate(tls_sim: Sim) -> None:
    ca = pki(tls_sim, "ca.pem")
    with mtls_client(
        tls_sim,
        {"cert": {"file": str(pki(tls_sim, "client.pem"))}, "key": {"file": pki(tls_sim, "client-key.pem")}},
        ca,
    ) as client:
        signing = client.zignsec_signing()
        session = signing.create()
        assert signing.status(session["id"])["status"] == "Created"

    # The combined PEM (certificate then key) alone, and PEM text given as values.
    with mtls_client(tls_sim, {"cert": {"file": pki(tls_sim, "client-combined.pem")}}, ca) as c:
        c.zignsec_signing().status(session["id"])
    pem = {
        "cert": pki(tls_sim, "client.pem").read_text(),
        "key": pki(tls_sim, "client-key.pem").read_text(),
    }
    with mtls_client(tls_sim, pem, ca) as c:
        c.zignsec_signing().status(session["id"])


def test_oauth2_and_two_way_tls_together(tls_sim: Sim) -> None:
    require_bearer(tls_sim)
    tls_sim.call("DELETE", "/_sim/oauth")
    cert = {"cert": {"file": pki(tls_sim, "client.pem")}, "key": {"file": pki(tls_sim, "client-key.pem")}}
    with mtls_client(tls_sim, cert, pki(tls_sim, "ca.pem"), oauth2=oauth2()) as client:
        signing = client.zignsec_signing()
        session = signing.create()
        signing.status(session["id"])
    assert tokens_issued(tls_sim) == 1


def tls_error(client: signbridge.Client) -> signbridge.SignbridgeError:
    with client:
        with pytest.raises(signbridge.TransportError) as info:
            client.zignsec_signing().create()
    e = info.value
    assert e.code is ErrorCode.SB_ERR_TLS, f"{e.name}: {e.message}"
    assert e.http_status is None
    return e


def test_no_client_certificate_is_a_tls_error(tls_sim: Sim) -> None:
    e = tls_error(mtls_client(tls_sim, None, pki(tls_sim, "ca.pem")))
    assert "CertificateRequired" in e.message, e.message


def test_client_certificate_from_another_ca_is_a_tls_error(tls_sim: Sim) -> None:
    other = {
        "cert": {"file": pki(tls_sim, "other-client.pem")},
        "key": {"file": pki(tls_sim, "other-client-key.pem")},
    }
    tls_error(mtls_client(tls_sim, other, pki(tls_sim, "ca.pem")))


def test_untrusted_server_ca_is_a_tls_error(tls_sim: Sim) -> None:
    cert = {"cert": {"file": pki(tls_sim, "client.pem")}, "key": {"file": pki(tls_sim, "client-key.pem")}}
    tls_error(mtls_client(tls_sim, cert, None))


def test_a_certificate_given_as_the_key_is_a_config_error(tls_sim: Sim) -> None:
    bad = {"cert": {"file": pki(tls_sim, "client.pem")}, "key": {"file": pki(tls_sim, "ca.pem")}}
    with pytest.raises(signbridge.SignbridgeError) as info:
        mtls_client(tls_sim, bad, pki(tls_sim, "ca.pem"))
    assert info.value.code is ErrorCode.SB_ERR_INVALID_CONFIG
