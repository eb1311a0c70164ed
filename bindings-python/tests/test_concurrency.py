"""The GIL is released during network calls, waits are interruptible, and fork() works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest

import signbridge
from signbridge.call_types import ZignsecSignDocumentsResult

from conftest import Sim, config, sigint_default


def test_threads_make_progress_in_parallel(
    sim: Sim, signing: signbridge.ZignsecSigning
) -> None:
    n, delay_ms = 4, 800
    session = signing.create()
    sim.fault(kind="delay", delay_ms=delay_ms, method="GET", count=n,
              path_prefix="/api/v5/sessions/signing/")
    durations: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        t0 = time.monotonic()
        try:
            assert signing.status(session["id"])["id"] == session["id"]
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        with lock:
            durations.append(time.monotonic() - t0)

    # A pure-Python thread counts while the others wait on the network: it can only run if the
    # waiting threads released the GIL.
    ticks = 0
    stop = threading.Event()

    def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.01)

    tick_thread = threading.Thread(target=ticker)
    tick_thread.start()
    threads = [threading.Thread(target=worker) for _ in range(n)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    wall = time.monotonic() - start
    stop.set()
    tick_thread.join()

    assert not errors, errors
    assert len(durations) == n
    assert min(durations) >= delay_ms / 1000 * 0.9, durations  # each call really was slow
    serial = sum(durations)
    # Ran concurrently: far less than the calls would take one after the other.
    assert wall < serial * 0.6, (wall, durations)
    assert ticks > 10, ticks


def test_on_progress_exception_ends_the_wait(
    signing: signbridge.ZignsecSigning, pending: ZignsecSignDocumentsResult
) -> None:
    class Stop(Exception):
        pass

    calls = 0

    def progress(state: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        assert signbridge.SessionStatus(state["status"]) is signbridge.SessionStatus.PENDING
        if calls == 2:
            raise Stop("enough")

    with pytest.raises(Stop):
        signing.wait(pending["id"], interval_ms=50, timeout_ms=10_000, on_progress=progress)
    assert calls == 2


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys, time, signbridge
    cfg = {"zignsec": {"base_url": sys.argv[1], "keys": [sys.argv[2]]}}
    with signbridge.Client(cfg) as client:
        signing = client.zignsec_signing()
        s = signing.create()
        pdf = open(sys.argv[3], "rb").read()
        up = signing.upload(s["id"], pdf=pdf, name="a.pdf")
        signing.start(s["id"], {"files": [{"file_id": up["file_id"]}]})
        print("waiting", flush=True)
        signing.wait(s["id"], interval_ms=200)  # no timeout: only Ctrl-C ends it
        print("wait returned", flush=True)
    """
)


def test_ctrl_c_interrupts_wait(sim: Sim, pdf: bytes, tmp_path: object) -> None:
    from conftest import PRIMARY_KEY

    pdf_path = os.path.join(str(tmp_path), "a.pdf")
    with open(pdf_path, "wb") as f:
        f.write(pdf)
    proc = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_SCRIPT, sim.url, PRIMARY_KEY, pdf_path],
        preexec_fn=sigint_default,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "waiting"
        time.sleep(0.7)  # let it poll a few times
        assert proc.poll() is None, "the wait ended by itself"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "KeyboardInterrupt" in err, err
    assert proc.returncode != 0
    assert elapsed < 1.0, f"took {elapsed:.2f}s to react to SIGINT"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_works_in_a_child_after_fork(sim: Sim) -> None:
    with signbridge.Client(config(sim)) as client:
        signing = client.zignsec_signing()
        parent_session = signing.create()  # runtime and pool in use before the fork
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            code = 1
            try:
                os.close(r)
                assert signing.status(parent_session["id"])["id"] == parent_session["id"]
                child_session = signing.create()
                with signbridge.Client(config(sim)) as fresh:
                    fresh.zignsec_signing().status(child_session["id"])
                os.write(w, child_session["id"].encode())
                code = 0
            except BaseException as e:  # noqa: BLE001
                os.write(w, f"ERROR {e!r}".encode())
            finally:
                os._exit(code)
        os.close(w)
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the child hung after fork")
        message = os.read(r, 1000).decode()
        os.close(r)
        assert status is not None and os.WIFEXITED(status), status
        assert os.WEXITSTATUS(status) == 0, message
        # The child's session exists, and the parent keeps working.
        assert signing.status(message)["id"] == message
        assert signing.status(parent_session["id"])["id"] == parent_session["id"]


def test_a_ctrl_c_raised_inside_logging_code_is_not_lost(
    sim: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C whose handler runs while signbridge calls into `logging` (the level check before
    a call, a handler receiving a record) ends the call with KeyboardInterrupt; it used to be
    swallowed, leaving a wait without timeout running until the session ended."""
    import logging

    from conftest import PRIMARY_KEY

    logger = logging.getLogger("signbridge")
    with signbridge.Client(config(sim)) as client:
        signing = client.zignsec_signing()

        def interrupted() -> int:
            raise KeyboardInterrupt

        monkeypatch.setattr(logger, "getEffectiveLevel", interrupted)
        sim.call("DELETE", "/_sim/requests")
        with pytest.raises(KeyboardInterrupt):
            signing.create()
        assert sim.requests() == [], "nothing was sent"
        monkeypatch.undo()

        class Interrupting(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                raise KeyboardInterrupt

        handler = Interrupting()
        logger.addHandler(handler)
        old_level = logger.level
        logger.setLevel(logging.INFO)
        try:
            # The primary key is refused and the secondary kept: an INFO record is logged.
            sim.call("POST", "/_sim/zignsec/keys/revoke", {"key": PRIMARY_KEY})
            with pytest.raises(KeyboardInterrupt):
                signing.create()
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
        signing.create()  # and the client goes on working
