"""signbridge.AsyncClient: the same surface as Client, awaited on the one shared runtime."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import warnings
from pathlib import Path
from typing import Any

import anyio
import pytest

import signbridge
from signbridge import SessionStatus

from conftest import Sim, config, onespan_config, sample_pdf, securosys_config

def threads() -> int:
    """The number of OS threads of this process (Python's and the runtime's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no Threads: line in /proc/self/status")


@pytest.mark.asyncio
async def test_a_signing_flow_with_the_same_types_as_the_blocking_client(
    sim: Sim, tmp_path: Path
) -> None:
    pdf = sample_pdf()
    async with signbridge.AsyncClient(config(sim)) as client:
        assert isinstance(client, signbridge.AsyncClient) and not client.closed
        signing = client.zignsec_signing()
        assert isinstance(signing, signbridge.AsyncZignsecSigning)
        started = await signing.sign_documents([{"data_base64": pdf, "name": "contract.pdf"}])  # type: ignore[typeddict-item]
        assert set(started) == {"id", "redirect_url", "files"}

        seen: list[dict[str, Any]] = []

        async def on_progress(state: dict[str, Any]) -> None:
            # A coroutine callback runs on this loop.
            await asyncio.sleep(0)
            seen.append(state)

        waiting = asyncio.ensure_future(
            signing.wait(started["id"], interval_ms=50, timeout_ms=30_000, on_progress=on_progress)
        )
        assert await asyncio.to_thread(sim.sign_on_page, started["redirect_url"]) == 200
        done = await waiting
        # A coroutine callback runs as a task of this loop: the last one may still be scheduled
        # when the wait returns; let it run.
        for _ in range(10):
            await asyncio.sleep(0)
        assert isinstance(done, dict) and done["is_terminal"]
        assert SessionStatus(done["status"]) is SessionStatus.FINISHED
        # The same state, as the blocking client reads it.
        blocking = signbridge.Client(config(sim)).zignsec_signing().status(started["id"])
        assert set(blocking) == set(done)
        assert seen and all(set(s) == set(done) for s in seen)

        data = await signing.download(done["signed_files"][0])
        assert isinstance(data, bytes) and data.startswith(b"%PDF-")
        saved = (await signing.save_signed_files(started["id"], tmp_path))["paths"]
        assert [Path(p).read_bytes() for p in saved] == [data]
        assert hashlib.md5(data).digest()  # the md5 was verified by the core on the way

        # The generic operation call is awaited too.
        status = await client.call("zignsec.signing_status", {"session_id": started["id"]})
        assert status["status"] == "Finished"
    assert client.closed


@pytest.mark.asyncio
async def test_errors_are_the_same_exceptions(sim: Sim) -> None:
    async with signbridge.AsyncClient(config(sim)) as client:
        signing = client.zignsec_signing()
        with pytest.raises(signbridge.NotFound) as info:
            await signing.status("00000000-0000-0000-0000-000000000000")
        assert info.value.code == signbridge.ErrorCode.SB_ERR_NOT_FOUND
        # Argument errors are the core's, as with the blocking client.
        with pytest.raises(signbridge.InvalidInput) as bad:
            await signing.status(42)  # type: ignore[arg-type]
        assert bad.value.code == signbridge.ErrorCode.SB_ERR_INVALID_ARGUMENT
        with pytest.raises(signbridge.InvalidInput):
            await client.call("zignsec.no_such_operation", {})


@pytest.mark.asyncio
async def test_a_thousand_concurrent_waits_leave_the_loop_responsive(sim: Sim) -> None:
    n = 1000
    pdf = sample_pdf()
    async with signbridge.AsyncClient(config(sim)) as client:
        signing = client.zignsec_signing()
        started = await asyncio.gather(
            *(signing.sign_documents([{"data_base64": pdf, "name": f"c{i}.pdf"}])  # type: ignore[typeddict-item]
              for i in range(n))
        )
        before = threads()
        waits = [
            asyncio.ensure_future(signing.wait(s["id"], interval_ms=200, timeout_ms=300_000))
            for s in started
        ]
        # The sessions finish only after this loop has ticked 20 times while every wait is
        # pending: a loop blocked by the waits would never get here, and they would time out.
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 20
        assert not any(w.done() for w in waits)
        # No thread per call: the runtime's workers and one completion thread serve them all.
        assert threads() - before < 20, (before, threads())

        def finish_all() -> None:
            for s in started:
                sim.complete(s["id"])

        await asyncio.to_thread(finish_all)
        results = await asyncio.gather(*waits)
        assert all(SessionStatus(r["status"]) is SessionStatus.FINISHED for r in results)
        assert sorted(r["id"] for r in results) == sorted(s["id"] for s in started)


@pytest.mark.asyncio
async def test_cancelling_a_wait_stops_its_polling(sim: Sim) -> None:
    async with signbridge.AsyncClient(config(sim)) as client:
        signing = client.zignsec_signing()
        started = await signing.sign_documents([{"data_base64": sample_pdf(), "name": "c.pdf"}])  # type: ignore[typeddict-item]
        task = asyncio.ensure_future(signing.wait(started["id"], interval_ms=50, timeout_ms=60_000))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        def polls() -> int:
            return sum(1 for r in sim.requests() if started["id"] in r["path"])

        counted = await asyncio.to_thread(polls)
        await asyncio.sleep(0.5)
        # Nothing polls any more once the task is cancelled (a wait left running would poll
        # about ten more times in this half second).
        assert await asyncio.to_thread(polls) == counted


@pytest.mark.asyncio
async def test_asyncio_timeout_cancels_a_wait(sim: Sim) -> None:
    async with signbridge.AsyncClient(config(sim)) as client:
        signing = client.zignsec_signing()
        started = await signing.sign_documents([{"data_base64": sample_pdf(), "name": "c.pdf"}])  # type: ignore[typeddict-item]
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await signing.wait(started["id"], interval_ms=50)


@pytest.mark.asyncio
async def test_cancelling_a_save_leaves_nothing_behind(sim: Sim, tmp_path: Path) -> None:
    async with signbridge.AsyncClient(config(sim)) as client:
        signing = client.zignsec_signing()
        started = await signing.sign_documents([{"data_base64": sample_pdf(), "name": "c.pdf"}])  # type: ignore[typeddict-item]
        await asyncio.to_thread(sim.complete, started["id"])
        await signing.wait(started["id"], interval_ms=50, timeout_ms=30_000)
        # The signed file's download answers slowly; the save is cancelled while it waits.
        await asyncio.to_thread(
            sim.fault, kind="delay", delay_ms=5000, method="GET", path_prefix="/folders/", count=1
        )
        out = tmp_path / "signed"
        task = asyncio.ensure_future(signing.save_signed_files(started["id"], out))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The cancelled download unwinds on the runtime right after the task is cancelled; its
        # temporary file goes with it (polled: the unwinding is not awaited by the task).
        for _ in range(100):
            if not out.exists() or list(out.iterdir()) == []:
                break
            await asyncio.sleep(0.05)
        assert not out.exists() or list(out.iterdir()) == []
        # The client goes on working: the same save, not cancelled, completes.
        saved = (await signing.save_signed_files(started["id"], out))["paths"]
        assert [Path(p).name for p in saved] == ["c.pdf"]
        assert sorted(p.name for p in out.iterdir()) == ["c.pdf"]


@pytest.mark.asyncio
async def test_a_progress_callback_exception_ends_the_wait(sim: Sim) -> None:
    async with signbridge.AsyncClient(config(sim)) as client:
        signing = client.zignsec_signing()
        started = await signing.sign_documents([{"data_base64": sample_pdf(), "name": "c.pdf"}])  # type: ignore[typeddict-item]

        async def boom(state: dict[str, Any]) -> None:
            raise LookupError("stop waiting")

        with pytest.raises(LookupError, match="stop waiting"):
            await signing.wait(started["id"], interval_ms=50, timeout_ms=30_000, on_progress=boom)


@pytest.mark.asyncio
async def test_securosys_and_onespan_are_awaited_too(sim: Sim) -> None:
    async with signbridge.AsyncClient(securosys_config(sim)) as client:
        hsm = client.securosys()
        assert isinstance(hsm, signbridge.AsyncSecurosys)
        key = await hsm.create_key("async-key", spec=signbridge.KeySpec.P256)
        assert isinstance(key, dict) and key["label"] == "async-key"
        alg = signbridge.KeySpec.P256.default_signature_algorithm
        sig = await hsm.synchronous_sign("async-key", alg, payload=b"data")
        assert await hsm.verify("async-key", alg, payload=b"data", signature=sig) is True
        assert "async-key" in await hsm.list_keys()
    async with signbridge.AsyncClient(onespan_config(sim)) as client:
        onespan = client.onespan()
        assert isinstance(onespan, signbridge.AsyncOnespan)
        pid = await onespan.create_package(
            "async",
            [{"role_id": "signer1", "first_name": "Kari", "last_name": "Nordmann",
              "email": "kari@example.com"}],
            documents=[{"name": "c", "content_base64": base64.b64encode(sample_pdf()).decode()}],
        )
        seen = [p["id"] async for p in onespan.packages(page_size=1)]
        assert pid in seen


@pytest.mark.asyncio
async def test_without_a_running_loop_the_error_says_what_to_do(sim: Sim) -> None:
    client = signbridge.AsyncClient(config(sim))

    def outside() -> Any:
        # What the facades' coroutines await: the client's call.
        return client.call("zignsec.signing_status", {"session_id": "x"})

    with pytest.raises(signbridge.InvalidInput, match="running asyncio event loop"):
        await asyncio.to_thread(outside)
    await client.aclose()
    assert client.closed


@pytest.mark.asyncio
async def test_the_blocking_client_warns_once_inside_a_loop(sim: Sim) -> None:
    with signbridge.Client(config(sim)) as client:
        signing = client.zignsec_signing()
        started = signing.sign_documents([{"data_base64": sample_pdf(), "name": "c.pdf"}])  # type: ignore[typeddict-item]
        sim.complete(started["id"])
        with pytest.warns(RuntimeWarning, match="AsyncClient"):
            signing.wait(started["id"], interval_ms=50, timeout_ms=10_000)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            signing.wait(started["id"], interval_ms=50, timeout_ms=10_000)  # once per process


def test_anyio_on_its_asyncio_backend(sim: Sim) -> None:
    async def main() -> str:
        async with signbridge.AsyncClient(config(sim)) as client:
            session = await client.zignsec_signing().create()
            return session["id"]

    assert anyio.run(main, backend="asyncio")


def test_the_fastapi_signing_example_end_to_end(sim: Sim, tmp_path: Path) -> None:
    """examples/fastapi_signing.py under uvicorn: a PDF posted to /sign becomes a session whose
    result a background task awaits and saves; the gateway's webhook is verified."""
    import json
    import socket
    import threading
    import urllib.request

    import uvicorn

    from test_webhooks import SECRET, load_example, until

    module = load_example("fastapi_signing")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = module.create_app(
        config(sim),
        out_dir=tmp_path / "signed",
        webhook_url=f"{base}/zignsec/webhook",
        verifier=signbridge.WebhookVerifier([SECRET]),
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    until(lambda: server.started, "uvicorn to start", timeout=10)

    def get(path: str) -> Any:
        with urllib.request.urlopen(base + path, timeout=10) as resp:
            return json.loads(resp.read())

    try:
        pdf = sample_pdf("Async contract")
        req = urllib.request.Request(f"{base}/sign?name=contract.pdf", data=pdf, method="POST")
        req.add_header("Content-Type", "application/pdf")
        with urllib.request.urlopen(req, timeout=10) as resp:
            started = json.loads(resp.read())
        sid = started["session_id"]
        assert get(f"/sessions/{sid}")["state"] == "pending"
        assert sim.sign_on_page(started["redirect_url"]) == 200
        until(lambda: get(f"/sessions/{sid}")["state"] != "pending", "the session's result", 30)
        state = get(f"/sessions/{sid}")
        assert state["state"] == "signed", state
        saved = [Path(p) for p in state["files"]]
        assert [p.name for p in saved] == ["contract.pdf"]
        assert saved[0].read_bytes().startswith(b"%PDF-")
        until(lambda: len(get(f"/sessions/{sid}")["events"]) > 0, "a verified webhook", 15)
        # Not a PDF: a clear error, no session.
        bad = urllib.request.Request(f"{base}/sign", data=b"hello", method="POST")
        with urllib.request.urlopen(bad, timeout=10) as resp:
            assert "error" in json.loads(resp.read())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
