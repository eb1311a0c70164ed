"""Receive ZignSec webhooks in FastAPI: one call authenticates each delivery.

    pip install signbridge fastapi uvicorn
    ZIGNSEC_WEBHOOK_SECRETS=whsec-sim-0001 uvicorn fastapi_webhook:app --port 5000

then create sessions with webhook="http://127.0.0.1:5000/zignsec/webhook". Give the old and the new
secret (comma-separated) while you rotate it.
"""

from __future__ import annotations

import os
from typing import Callable, Optional

from fastapi import FastAPI, Request, Response

import signbridge
from signbridge import SIGNATURE_HEADER, WebhookEvent, WebhookInvalid, WebhookReplay


def handle_event(event: WebhookEvent) -> None:
    """Your code: e.g. look the order up by event.relay_state and store event.identity."""
    who = event.identity.full_name if event.identity else None
    print(f"{event.event}: session {event.session_id} ({event.relay_state}) {event.status_text} {who}")


def create_app(
    verifier: Optional[signbridge.WebhookVerifier] = None,
    on_event: Callable[[WebhookEvent], None] = handle_event,
) -> FastAPI:
    # One verifier per endpoint: it remembers accepted deliveries to refuse replays.
    if verifier is None:
        secrets = os.environ.get("ZIGNSEC_WEBHOOK_SECRETS", "whsec-sim-0001").split(",")
        verifier = signbridge.WebhookVerifier(secrets)
    checker = verifier
    app = FastAPI()

    @app.post("/zignsec/webhook")
    async def zignsec_webhook(request: Request) -> Response:
        body = await request.body()  # the raw body, exactly as received
        try:
            event = checker.verify(request.headers.get(SIGNATURE_HEADER, ""), body)
        except WebhookInvalid:
            return Response("invalid signature", status_code=401)
        except WebhookReplay:
            return Response("replayed or stale delivery", status_code=400)
        on_event(event)
        return Response(status_code=200)

    return app


app = create_app()
