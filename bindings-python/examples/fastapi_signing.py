"""A FastAPI service that signs PDFs with BankID Norway through ZignSec, fully async.

    pip install signbridge fastapi uvicorn
    signbridge sim &                               # the local simulator, or real credentials:
    SIGNBRIDGE_ZIGNSEC_BASE_URL=http://127.0.0.1:8080 SIGNBRIDGE_ZIGNSEC_KEYS=<key> \\
        uvicorn fastapi_signing:app --port 5000

    curl --data-binary @contract.pdf -H 'Content-Type: application/pdf' \\
        'http://127.0.0.1:5000/sign?name=contract.pdf'          # -> {"session_id", "redirect_url"}
    # send the signer to redirect_url; then
    curl http://127.0.0.1:5000/sessions/<session_id>               # -> state, saved files

One `AsyncClient` serves every request; each session's result is awaited by a background task
(no thread per session) and saved when signed; the gateway's webhook is verified as it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any, AsyncIterator, Optional

from fastapi import FastAPI, Request, Response

import signbridge


def create_app(
    config: Optional[dict[str, Any]] = None,
    out_dir: Path = Path("signed"),
    webhook_url: Optional[str] = None,
    verifier: Optional[signbridge.WebhookVerifier] = None,
) -> FastAPI:
    """The app; `config` as for `signbridge.AsyncClient` (default: the SIGNBRIDGE_* variables),
    `webhook_url` where the gateway should post session events (this app's /zignsec/webhook)."""
    sessions: dict[str, dict[str, Any]] = {}
    tasks: set[asyncio.Task[None]] = set()
    if verifier is None:
        secrets = os.environ.get("ZIGNSEC_WEBHOOK_SECRETS", "whsec-sim-0001").split(",")
        verifier = signbridge.WebhookVerifier(secrets)
    checker = verifier

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = signbridge.AsyncClient(config) if config else signbridge.AsyncClient.from_env()
        async with client:
            app.state.signing = client.zignsec_signing()
            yield
            for task in tasks:
                task.cancel()  # a wait still running stops polling

    app = FastAPI(lifespan=lifespan)

    async def await_result(signing: signbridge.AsyncZignsecSigning, session_id: str) -> None:
        entry = sessions[session_id]
        try:
            await signing.wait(session_id, timeout_ms=15 * 60 * 1000)
            saved = await signing.save_signed_files(session_id, out_dir / session_id)
            entry.update(state="signed", files=saved["paths"])
        except signbridge.SessionError as e:  # cancelled, rejected, expired, failed
            entry.update(state="unsuccessful", error=str(e))
        except signbridge.SignbridgeError as e:
            entry.update(state="error", error=str(e))

    @app.post("/sign")
    async def sign(request: Request, name: str = "document.pdf") -> dict[str, str]:
        pdf = await request.body()
        signing: signbridge.AsyncZignsecSigning = app.state.signing
        try:
            started = await signing.sign_documents(
                [{"data_base64": pdf, "name": name}], create={"webhook": webhook_url}
            )
        except signbridge.InvalidInput as e:  # not a PDF, empty, ...
            return {"error": str(e)}
        sessions[started["id"]] = {"state": "pending", "events": []}
        task = asyncio.create_task(await_result(signing, started["id"]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return {"session_id": started["id"], "redirect_url": started["redirect_url"]}

    @app.get("/sessions/{session_id}")
    async def session(session_id: str) -> dict[str, Any]:
        return sessions.get(session_id, {"state": "unknown"})

    @app.post("/zignsec/webhook")
    async def zignsec_webhook(request: Request) -> Response:
        body = await request.body()
        try:
            event = checker.verify(request.headers.get(signbridge.SIGNATURE_HEADER, ""), body)
        except signbridge.WebhookInvalid:
            return Response("invalid signature", status_code=401)
        except signbridge.WebhookReplay:
            return Response("replayed or stale delivery", status_code=400)
        if event.session_id in sessions:
            sessions[event.session_id]["events"].append(event.event)
        return Response(status_code=200)

    return app


if os.environ.get("SIGNBRIDGE_ZIGNSEC_BASE_URL"):
    app = create_app(webhook_url=os.environ.get("SIGNING_WEBHOOK_URL"))
