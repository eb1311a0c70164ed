"""Browser-based eID sessions against the simulator (``client.zignsec_eid()``, the facade
generated from the operation table): polling and the browser's return."""
# The bad-argument cases pass wrong types on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, list-item, call-arg, typeddict-item"

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest

import signbridge
from signbridge import ErrorCode, SessionStatus

from conftest import PRIMARY_KEY, Sim, config, sigint_default

OK = "https://app.example/ok"
FAIL = "https://app.example/fail"


def last_path(sim: Sim) -> str:
    path: str = sim.requests()[-1]["path"]
    return path


def test_products_and_their_paths(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    # A product by name, or the same by its path, is created and read at its own gateway path.
    s = eid.create(product="bankid_se")
    assert last_path(sim) == "/core/api/sessions/identity_verification/bankid_se"
    eid.create(core={"category": "identity_verification", "product": "bankid_se"})
    assert last_path(sim) == "/core/api/sessions/identity_verification/bankid_se"
    eid.create(product="mitid", mitid={"cpr_number": "0101901234"})
    assert last_path(sim) == "/core/api/sessions/match_cpr/mitid"
    eid.create(product="freja", freja={"country": "SE", "ssn": "198212121236"})
    assert last_path(sim).endswith("freja_id_ssn")
    n = eid.create(product="bankid_no")
    eid.result(n["id"], product="bankid_no")
    assert last_path(sim).startswith("/api/v5/sessions/bankidno/")
    v5 = eid.create(v5={"provider": "bankidno", "operation": "auth"})
    eid.result(v5["id"], v5={"provider": "bankidno", "operation": "auth"})
    assert last_path(sim).startswith("/api/v5/sessions/bankidno/")
    m = eid.create(product="mitid")
    eid.result(m["id"], product="mitid")
    assert last_path(sim).startswith("/core/api/sessions/")
    assert len({s["id"], n["id"], m["id"]}) == 3
    with pytest.raises(signbridge.InvalidInput) as info:
        eid.create(core={"category": "identity_verification", "product": "../x"})
    assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT


def test_polling_bankid_se_and_mitid(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.create(product="bankid_se", session={"redirect_success": OK,
                                                 "redirect_failure": FAIL, "relay_state": "se-1"})
    assert isinstance(s, dict)
    assert s["status"] == SessionStatus.CREATED and s["redirect_url"].startswith(sim.url)
    sim.identify_on_page(s["redirect_url"], "199001011234")
    seen: list[dict[str, Any]] = []
    r = eid.wait(s["id"], product="bankid_se", interval_ms=50, timeout_ms=10_000,
                 on_progress=seen.append)
    assert isinstance(r, dict)
    assert r["status"] == SessionStatus.FINISHED and r["is_terminal"] and r["id"] == s["id"]
    assert seen and seen[-1] == r
    assert r["relay_state"] == "se-1" and r["errors"] == []
    i = r["identity"]
    assert isinstance(i, dict)
    assert (i["full_name"], i["first_name"], i["last_name"]) == (
        "Astrid Lindqvist", "Astrid", "Lindqvist")
    assert (i["personal_number"], i["date_of_birth"], i["country_code"]) == (
        "199001011234", "1990-01-01", "SE")
    assert i["gender"] == "female" and i["age"] is None
    raw = r["raw_result"]
    assert isinstance(raw, dict) and raw["identity"]["fullName"] == "Astrid Lindqvist"

    m = eid.create(product="mitid", session={"relay_state": "dk-1"},
                   mitid={"level": "Substantial", "language": "En",
                          "requested_attributes": ["DATE_OF_BIRTH", "IDENTITY_NAME"]})
    pending = eid.result(m["id"], product="mitid")
    assert pending["identity"] is None and pending["raw_result"] in ({}, None)
    assert not pending["is_terminal"]
    sim.identify_on_page(m["redirect_url"], "0101901234")
    r = eid.wait(m["id"], product="mitid", interval_ms=50, timeout_ms=10_000)
    assert r["identity"] is not None and r["identity"]["country_code"] == "DK"
    assert r["identity"]["full_name"] == "Mette Hansen" and r["relay_state"] == "dk-1"


def test_generic_create_and_bankid_no_polling(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    product = {"category": "identity_verification", "product": "bankid_se"}
    s = eid.create(core=product, session={"relay_state": "generic",
                                          "metadata": {"personalnumber": "198505152385"}})
    sim.call("POST", f"/_sim/zignsec/sessions/{s['id']}/complete", {})
    r = eid.wait(s["id"], core=product, interval_ms=50, timeout_ms=10_000)
    assert r["identity"] is not None and r["identity"]["full_name"] == "Erik Johansson"

    n = eid.create(product="bankid_no", session={"relay_state": "no-poll"})
    sim.identify_on_page(n["redirect_url"], "11920287974")
    r = eid.wait(n["id"], product="bankid_no", interval_ms=50, timeout_ms=10_000)
    assert r["identity"] is not None and r["identity"]["full_name"] == "Ole Bramserud"
    assert r["identity"]["country_code"] == "NO" and r["relay_state"] == "no-poll"


def test_redirect_success_and_a_foreign_relay_state(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.create(product="freja",
                   session={"redirect_success": OK, "redirect_failure": FAIL,
                            "relay_state": "fr 1/ø"},
                   freja={"country": "SE", "ssn": "198212121236",
                          "attributes_to_return": ["BASIC_USER_INFO"],
                          "min_registration_level": "EXTENDED"})
    back = sim.identify_on_page(s["redirect_url"], "198212121236")
    assert back.startswith(OK)
    outcome = signbridge.parse_redirect(back)
    assert isinstance(outcome, dict)
    assert outcome["success"] and outcome["error_code"] is None
    assert outcome["relay_state"] == "fr 1/ø" and outcome["session_id"] == s["id"]
    r = eid.complete_redirect(s["id"], back, product="freja", expected_relay_state="fr 1/ø")
    assert r["identity"] is not None and r["identity"]["full_name"] == "Karin Berg"
    assert r["relay_state"] == "fr 1/ø"
    # Only the query is needed, and the relay state check is optional.
    query = back[back.index("?"):]
    assert eid.complete_redirect(s["id"], query, product="freja") == r
    with pytest.raises(signbridge.InvalidInput) as info:
        eid.complete_redirect(s["id"], back, product="freja",
                              expected_relay_state="someone-else")
    assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
    with pytest.raises(signbridge.InvalidInput):
        eid.complete_redirect("another-session", back, product="freja")
    # Login CSRF: a crafted URL to this (someone else's) finished session, without a relay state
    # or with the one the application expects, is refused: the session was created with another.
    crafted = f"https://app.example/ok?session_id={s['id']}"
    for url in (crafted, crafted + "&relay_state=victim"):
        with pytest.raises(signbridge.InvalidInput, match="relay_state") as csrf:
            eid.complete_redirect(s["id"], url, product="freja", expected_relay_state="victim")
        assert csrf.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT


def test_redirect_cancel(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.create(product="bankid_se", session={"redirect_success": OK,
                                                 "redirect_failure": FAIL, "relay_state": "se-2"})
    back = sim.identify_on_page(s["redirect_url"], "199001011234", action="cancel")
    assert back.startswith(FAIL) and "errorCode=CANCELLED" in back
    outcome = signbridge.parse_redirect(back)
    assert not outcome["success"] and outcome["error_code"] == "CANCELLED"
    assert outcome["error_text"] == "Identification cancelled by the end-user"
    # The outcome's error is what completing the redirect raises, without a request.
    with pytest.raises(signbridge.SessionCancelled) as info:
        eid.complete_redirect(s["id"], back, product="bankid_se", expected_relay_state="se-2")
    assert isinstance(info.value, signbridge.SessionCancelled)
    assert info.value.code is ErrorCode.SB_ERR_CANCELLED
    assert info.value.provider_code == "CANCELLED"
    with pytest.raises(signbridge.SessionCancelled) as polled:
        eid.wait(s["id"], product="bankid_se", interval_ms=50, timeout_ms=10_000)
    assert polled.value.provider_code == "CANCELLED_BY_USER"
    state = eid.result(s["id"], product="bankid_se")
    assert state["status"] == SessionStatus.CANCELLED
    assert state["errors"][0]["code"] == "CANCELLED_BY_USER"
    assert state["errors"][0]["status_code"] == 410


def test_redirect_declined_cpr_mismatch(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.create(product="mitid", mitid={"cpr_number": "0101901234"},
                   session={"redirect_success": OK, "redirect_failure": FAIL,
                            "relay_state": "dk-2"})
    back = sim.identify_on_page(s["redirect_url"], "1505851237")
    assert "errorCode=DECLINED" in back
    with pytest.raises(signbridge.SessionRejected) as info:
        eid.complete_redirect(s["id"], back, product="mitid_cpr_match",
                              expected_relay_state="dk-2")
    assert info.value.code is ErrorCode.SB_ERR_REJECTED
    with pytest.raises(signbridge.SessionRejected) as polled:
        eid.wait(s["id"], product="mitid_cpr_match", interval_ms=50, timeout_ms=10_000)
    assert polled.value.provider_code == "DECLINED" and polled.value.http_status == 403


def test_redirect_bankid_no_access_denied(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.create(product="bankid_no", session={"redirect_success": OK,
                                                 "redirect_failure": FAIL, "relay_state": "no-1"})
    back = sim.identify_on_page(s["redirect_url"], "06046517928", action="cancel")
    assert "error=access_denied" in back
    outcome = signbridge.parse_redirect(back)
    assert outcome["error_code"] == "access_denied"
    assert outcome["error_text"] == "The end-user cancelled the login"
    with pytest.raises(signbridge.SessionCancelled) as info:
        eid.complete_redirect(s["id"], back, product="bankid_no", expected_relay_state="no-1")
    assert info.value.provider_code == "access_denied"


def test_other_outcomes_and_local_validation(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.create(product="bankid_se", session={"relay_state": "exp"})
    sim.call("POST", f"/_sim/zignsec/sessions/{s['id']}/expire")
    with pytest.raises(signbridge.SessionExpired):
        eid.wait(s["id"], product="bankid_se", interval_ms=50, timeout_ms=10_000)
    f = eid.create(product="bankid_se")
    sim.call("POST", f"/_sim/zignsec/sessions/{f['id']}/fail")
    with pytest.raises(signbridge.SigningFailed) as info:
        eid.wait(f["id"], product="bankid_se", interval_ms=50, timeout_ms=10_000)
    assert info.value.provider_code == "IDENTIFICATION_FAILED"
    open_session = eid.create(product="bankid_se")
    with pytest.raises(signbridge.TimedOut):
        eid.wait(open_session["id"], product="bankid_se", interval_ms=50, timeout_ms=300)

    sim.call("DELETE", "/_sim/requests")
    for call in (
        lambda: eid.create(product="bankid_se", bankid_se={"personal_number": "123"}),
        lambda: eid.create(product="mitid", mitid={"cpr_number": "12"}),
        lambda: eid.create(product="freja", freja={"country": "XX", "ssn": "1"}),
        lambda: eid.create(product="freja", freja={"country": "SE", "ssn": "123"}),
        lambda: eid.create(product="bankid_no", session={"redirect_success": "not a url"}),
        lambda: eid.result("../../etc", product="mitid"),
        lambda: signbridge.parse_redirect("http://[::1"),
    ):
        with pytest.raises(signbridge.InvalidInput):
            call()
    assert sim.requests() == [], "refused locally, before any request"
    with pytest.raises(signbridge.NotFound):
        eid.create(core={"category": "identity_verification", "product": "nope"})


def test_bad_argument_types(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    # Wrong types in a request are the core's SB_ERR_INVALID_ARGUMENT naming the field, before
    # any request.
    cases = [
        lambda: eid.create(product="nope"),
        lambda: eid.create(product="bankid_se", session={"relay_state": 5}),
        lambda: eid.create(product="bankid_se", session={"metadata": [1]}),
        lambda: eid.create(product="bankid_se", bankid_se={"personal_number": 199001011234}),
        lambda: eid.create(product="mitid", mitid={"requested_attributes": "DATE_OF_BIRTH"}),
        lambda: eid.create(product="mitid", mitid={"requested_attributes": [1]}),
        lambda: eid.create(product="freja", freja={"country": "SE"}),
        lambda: eid.create(product="freja", freja={"country": "SE", "ssn": "198212121236",
                                                   "attributes_to_return": 5}),
        lambda: eid.result(5, product="bankid_se"),
        lambda: eid.result("abc"),
        lambda: eid.wait("abc", product="bankid_se", interval_ms="1"),
        lambda: eid.complete_redirect("abc", 5, product="bankid_se"),
        lambda: eid.complete_redirect("abc", "https://app/ok", product="bankid_se",
                                      expected_relay_state=7),
        lambda: eid.create(core={"category": 1, "product": "x"}),
        lambda: signbridge.parse_redirect(None),
    ]
    sim.call("DELETE", "/_sim/requests")
    bad = []
    for i, call in enumerate(cases):
        try:
            call()
        except signbridge.InvalidInput as e:
            if e.code is not ErrorCode.SB_ERR_INVALID_ARGUMENT or not e.message:
                bad.append((i, e))
        except BaseException as e:  # noqa: BLE001
            bad.append((i, e))
        else:
            bad.append((i, "no error"))
    assert not bad, bad
    assert sim.requests() == [], "refused locally, before any request"
    for wrong in [
        lambda: eid.wait("abc", product="bankid_se", on_progress=5),
        lambda: signbridge.WebhookVerifier("whsec-one-string"),
        lambda: signbridge.WebhookVerifier([b"bytes"]),
        lambda: signbridge.WebhookVerifier(["s"]).verify("t=1,v1=00", "a str body"),
        lambda: signbridge.WebhookVerifier(["s"], tolerance="300"),
    ]:
        with pytest.raises(TypeError) as info:
            wrong()
        assert str(info.value)
    with pytest.raises(signbridge.InvalidInput, match="interval"):
        eid.wait("abc", product="bankid_se", interval_ms=-1)
    with pytest.raises(signbridge.InvalidInput, match="tolerance"):
        signbridge.WebhookVerifier(["s"], tolerance=float("nan"))


def test_closed_client_and_missing_configuration(sim: Sim) -> None:
    with signbridge.Client(config(sim)) as client:
        e = client.zignsec_eid()
        assert repr(e) == f"ZignsecEid(base_url={e.base_url!r})"
        assert e.base_url.startswith(sim.url)
    with pytest.raises(signbridge.InvalidInput, match="closed"):
        e.create(product="bankid_se")
    with pytest.raises(signbridge.InvalidInput):
        client.zignsec_eid()


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys, signbridge
    cfg = {"zignsec": {"base_url": sys.argv[1], "keys": [sys.argv[2]]}}
    with signbridge.Client(cfg) as client:
        eid = client.zignsec_eid()
        s = eid.create(product="mitid")
        print("waiting", flush=True)
        eid.wait(s["id"], product="mitid", interval_ms=200)  # only Ctrl-C ends it
        print("wait returned", flush=True)
    """
)


def test_ctrl_c_interrupts_the_eid_wait(sim: Sim) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_SCRIPT, sim.url, PRIMARY_KEY],
        preexec_fn=sigint_default,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "waiting"
        time.sleep(0.6)
        assert proc.poll() is None, "the wait ended by itself"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "KeyboardInterrupt" in err, err
    assert elapsed < 1.0, f"took {elapsed:.2f}s to react to SIGINT"
