"""Browser-based eID sessions against the simulator: polling and the browser's return."""
# The bad-argument cases pass wrong types on purpose (the stubs make mypy see them).
# mypy: disable-error-code="arg-type, list-item, call-arg"

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import signbridge
from signbridge import EidProduct, ErrorCode, SessionStatus

from conftest import PRIMARY_KEY, Sim, config, sigint_default

OK = "https://app.example/ok"
FAIL = "https://app.example/fail"


def test_products_and_their_paths() -> None:
    assert EidProduct.bankid_se().create_path == "core/api/sessions/identity_verification/bankid_se"
    assert EidProduct.mitid_cpr_match().create_path == "core/api/sessions/match_cpr/mitid"
    assert EidProduct.bankid_no().result_prefix == "api/v5/sessions/bankidno/"
    assert EidProduct.freja().create_path.endswith("freja_id_ssn")
    assert EidProduct.mitid().result_prefix == "core/api/sessions/"
    assert EidProduct.core("identity_verification", "bankid_se") == EidProduct.bankid_se()
    assert EidProduct.v5("bankidno", "auth") == EidProduct.bankid_no()
    assert len({EidProduct.mitid(), EidProduct.mitid(), EidProduct.freja()}) == 2
    assert "bankid_se" in repr(EidProduct.bankid_se())
    with pytest.raises(signbridge.InvalidInput) as info:
        EidProduct.core("identity_verification", "../x")
    assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT


def test_polling_bankid_se_and_mitid(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.bankid_se(redirect_success=OK, redirect_failure=FAIL, relay_state="se-1")
    assert isinstance(s, signbridge.EidSession)
    assert s.status is SessionStatus.CREATED and s.redirect_url.startswith(sim.url)
    sim.identify_on_page(s.redirect_url, "199001011234")
    seen: list[signbridge.EidResult] = []
    r = eid.wait(EidProduct.bankid_se(), s.id, interval=0.05, timeout=10, on_progress=seen.append)
    assert isinstance(r, signbridge.EidResult)
    assert r.status is SessionStatus.FINISHED and r.is_terminal and r.id == s.id
    assert seen and seen[-1] == r
    assert r.relay_state == "se-1" and r.errors == []
    i = r.identity
    assert isinstance(i, signbridge.Identity)
    assert (i.full_name, i.first_name, i.last_name) == ("Astrid Lindqvist", "Astrid", "Lindqvist")
    assert (i.personal_number, i.date_of_birth, i.country_code) == ("199001011234", "1990-01-01", "SE")
    assert i.gender == "female" and i.age is None
    assert "199001011234" not in repr(i)  # personal data stays out of reprs and logs
    raw = r.raw_result
    assert isinstance(raw, dict) and raw["identity"]["fullName"] == "Astrid Lindqvist"

    m = eid.mitid(relay_state="dk-1", level="Substantial", language="En",
                  requested_attributes=["DATE_OF_BIRTH", "IDENTITY_NAME"])
    pending = eid.result(EidProduct.mitid(), m.id)
    assert pending.identity is None and pending.raw_result == {} and not pending.is_terminal
    sim.identify_on_page(m.redirect_url, "0101901234")
    r = eid.wait(EidProduct.mitid(), m.id, interval=0.05, timeout=10)
    assert r.identity is not None and r.identity.country_code == "DK"
    assert r.identity.full_name == "Mette Hansen" and r.relay_state == "dk-1"


def test_generic_create_and_bankid_no_polling(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    product = EidProduct.core("identity_verification", "bankid_se")
    s = eid.create(product, relay_state="generic", metadata={"personalnumber": "198505152385"})
    sim.call("POST", f"/_sim/zignsec/sessions/{s.id}/complete", {})
    r = eid.wait(product, s.id, interval=0.05, timeout=10)
    assert r.identity is not None and r.identity.full_name == "Erik Johansson"

    n = eid.bankid_no(relay_state="no-poll")
    sim.identify_on_page(n.redirect_url, "11920287974")
    r = eid.wait(EidProduct.bankid_no(), n.id, interval=0.05, timeout=10)
    assert r.identity is not None and r.identity.full_name == "Ole Bramserud"
    assert r.identity.country_code == "NO" and r.relay_state == "no-poll"


def test_redirect_success_and_a_foreign_relay_state(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.freja(country="SE", ssn="198212121236", redirect_success=OK, redirect_failure=FAIL,
                  relay_state="fr 1/ø", attributes_to_return=["BASIC_USER_INFO"],
                  min_registration_level="EXTENDED")
    back = sim.identify_on_page(s.redirect_url, "198212121236")
    assert back.startswith(OK)
    outcome = signbridge.parse_redirect(back)
    assert isinstance(outcome, signbridge.RedirectOutcome)
    assert outcome.success and outcome.error() is None
    assert outcome.relay_state == "fr 1/ø" and outcome.session_id == s.id
    r = eid.complete_redirect(EidProduct.freja(), s.id, back, "fr 1/ø")
    assert r.identity is not None and r.identity.full_name == "Karin Berg"
    assert r.relay_state == "fr 1/ø"
    # Only the query is needed, and the relay state check is optional.
    query = back[back.index("?"):]
    assert eid.complete_redirect(EidProduct.freja(), s.id, query) == r
    with pytest.raises(signbridge.InvalidInput) as info:
        eid.complete_redirect(EidProduct.freja(), s.id, back, expected_relay_state="someone-else")
    assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT
    with pytest.raises(signbridge.InvalidInput):
        eid.complete_redirect(EidProduct.freja(), "another-session", back)
    # Login CSRF: a crafted URL to this (someone else's) finished session, without a relay state
    # or with the one the application expects, is refused: the session was created with another.
    crafted = f"https://app.example/ok?session_id={s.id}"
    for url in (crafted, crafted + "&relay_state=victim"):
        with pytest.raises(signbridge.InvalidInput, match="relay_state") as csrf:
            eid.complete_redirect(EidProduct.freja(), s.id, url, expected_relay_state="victim")
        assert csrf.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT


def test_redirect_cancel(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.bankid_se(redirect_success=OK, redirect_failure=FAIL, relay_state="se-2")
    back = sim.identify_on_page(s.redirect_url, "199001011234", action="cancel")
    assert back.startswith(FAIL) and "errorCode=CANCELLED" in back
    outcome = signbridge.parse_redirect(back)
    assert not outcome.success and outcome.error_code == "CANCELLED"
    assert outcome.error_text == "Identification cancelled by the end-user"
    err = outcome.error()
    assert isinstance(err, signbridge.SessionCancelled)
    with pytest.raises(signbridge.SessionCancelled) as info:
        eid.complete_redirect(EidProduct.bankid_se(), s.id, back, "se-2")
    assert info.value.code is ErrorCode.SB_ERR_CANCELLED
    assert info.value.provider_code == "CANCELLED"
    with pytest.raises(signbridge.SessionCancelled) as polled:
        eid.wait(EidProduct.bankid_se(), s.id, interval=0.05, timeout=10)
    assert polled.value.provider_code == "CANCELLED_BY_USER"
    state = eid.result(EidProduct.bankid_se(), s.id)
    assert state.status is SessionStatus.CANCELLED
    assert state.errors[0].code == "CANCELLED_BY_USER" and state.errors[0].status_code == 410


def test_redirect_declined_cpr_mismatch(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.mitid(cpr_number="0101901234", redirect_success=OK, redirect_failure=FAIL,
                  relay_state="dk-2")
    back = sim.identify_on_page(s.redirect_url, "1505851237")
    assert "errorCode=DECLINED" in back
    with pytest.raises(signbridge.SessionRejected) as info:
        eid.complete_redirect(EidProduct.mitid_cpr_match(), s.id, back, "dk-2")
    assert info.value.code is ErrorCode.SB_ERR_REJECTED
    with pytest.raises(signbridge.SessionRejected) as polled:
        eid.wait(EidProduct.mitid_cpr_match(), s.id, interval=0.05, timeout=10)
    assert polled.value.provider_code == "DECLINED" and polled.value.http_status == 403


def test_redirect_bankid_no_access_denied(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.bankid_no(redirect_success=OK, redirect_failure=FAIL, relay_state="no-1")
    back = sim.identify_on_page(s.redirect_url, "06046517928", action="cancel")
    assert "error=access_denied" in back
    outcome = signbridge.parse_redirect(back)
    assert outcome.error_code == "access_denied"
    assert outcome.error_text == "The end-user cancelled the login"
    with pytest.raises(signbridge.SessionCancelled) as info:
        eid.complete_redirect(EidProduct.bankid_no(), s.id, back, "no-1")
    assert info.value.provider_code == "access_denied"


def test_other_outcomes_and_local_validation(sim: Sim, eid: signbridge.ZignsecEid) -> None:
    s = eid.bankid_se(relay_state="exp")
    sim.call("POST", f"/_sim/zignsec/sessions/{s.id}/expire")
    with pytest.raises(signbridge.SessionExpired):
        eid.wait(EidProduct.bankid_se(), s.id, interval=0.05, timeout=10)
    f = eid.bankid_se()
    sim.call("POST", f"/_sim/zignsec/sessions/{f.id}/fail")
    with pytest.raises(signbridge.SigningFailed) as info:
        eid.wait(EidProduct.bankid_se(), f.id, interval=0.05, timeout=10)
    assert info.value.provider_code == "IDENTIFICATION_FAILED"
    open_session = eid.bankid_se()
    with pytest.raises(signbridge.TimedOut):
        eid.wait(EidProduct.bankid_se(), open_session.id, interval=0.05, timeout=0.3)

    sim.call("DELETE", "/_sim/requests")
    for call in (
        lambda: eid.bankid_se(personal_number="123"),
        lambda: eid.mitid(cpr_number="12"),
        lambda: eid.freja(country="XX", ssn="1"),
        lambda: eid.freja(country="SE", ssn="123"),
        lambda: eid.bankid_no(redirect_success="not a url"),
        lambda: eid.result(EidProduct.mitid(), "../../etc"),
        lambda: signbridge.parse_redirect("http://[::1"),
    ):
        with pytest.raises(signbridge.InvalidInput):
            call()
    assert sim.requests() == [], "refused locally, before any request"
    with pytest.raises(signbridge.NotFound):
        eid.create(EidProduct.core("identity_verification", "nope"))


def test_bad_argument_types(eid: signbridge.ZignsecEid) -> None:
    product = EidProduct.bankid_se()
    cases = [
        lambda: eid.create("bankid_se"),
        lambda: eid.create(product, relay_state=5),
        lambda: eid.create(product, metadata=[1]),
        lambda: eid.bankid_se(personal_number=199001011234),
        lambda: eid.mitid(requested_attributes="DATE_OF_BIRTH"),
        lambda: eid.mitid(requested_attributes=[1]),
        lambda: eid.freja(country="SE"),
        lambda: eid.freja(country="SE", ssn="198212121236", attributes_to_return=5),
        lambda: eid.result(product, 5),
        lambda: eid.result(None, "abc"),
        lambda: eid.wait(product, "abc", interval="1"),
        lambda: eid.wait(product, "abc", on_progress=5),
        lambda: eid.complete_redirect(product, "abc", b"https://app/ok"),
        lambda: eid.complete_redirect(product, "abc", "https://app/ok", 7),
        lambda: EidProduct.core(1, "x"),
        lambda: signbridge.parse_redirect(None),
        lambda: signbridge.WebhookVerifier("whsec-one-string"),
        lambda: signbridge.WebhookVerifier([b"bytes"]),
        lambda: signbridge.WebhookVerifier(["s"]).verify("t=1,v1=00", "a str body"),
        lambda: signbridge.WebhookVerifier(["s"], tolerance="300"),
    ]
    bad = []
    for i, call in enumerate(cases):
        try:
            call()
        except TypeError as e:
            assert str(e), f"case {i}: empty message"
        except BaseException as e:  # noqa: BLE001
            bad.append((i, e))
        else:
            bad.append((i, "no error"))
    assert not bad, bad
    with pytest.raises(signbridge.InvalidInput, match="interval"):
        eid.wait(product, "abc", interval=-1)
    with pytest.raises(signbridge.InvalidInput, match="tolerance"):
        signbridge.WebhookVerifier(["s"], tolerance=float("nan"))


def test_closed_client_and_missing_configuration(sim: Sim) -> None:
    with signbridge.Client(config(sim)) as client:
        e = client.zignsec_eid()
        assert repr(e) == "ZignsecEid()"
    with pytest.raises(signbridge.InvalidInput, match="closed"):
        e.bankid_se()
    with pytest.raises(signbridge.InvalidInput):
        client.zignsec_eid()


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys, signbridge
    cfg = {"zignsec": {"base_url": sys.argv[1], "keys": [sys.argv[2]]}}
    with signbridge.Client(cfg) as client:
        eid = client.zignsec_eid()
        s = eid.mitid()
        print("waiting", flush=True)
        eid.wait(signbridge.EidProduct.mitid(), s.id, interval=0.2)  # only Ctrl-C ends it
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
