"""Receive ZignSec webhooks in Flask: one call authenticates each delivery.

    pip install signbridge flask
    ZIGNSEC_WEBHOOK_SECRETS=whsec-sim-0001 flask --app flask_webhook run --port 5000

then create sessions with webhook="http://127.0.0.1:5000/zignsec/webhook". Give the old and the new
secret (comma-separated) while you rotate it.
"""

from __future__ import annotations

import os
from typing import Callable, Optional

from flask import Flask, request

import signbridge
from signbridge import SIGNATURE_HEADER, WebhookEvent, WebhookInvalid, WebhookReplay


def handle_event(event: WebhookEvent) -> None:
    """Your code: e.g. look the order up by event.relay_state and store event.identity."""
    who = event.identity.full_name if event.identity else None
    print(f"{event.event}: session {event.session_id} ({event.relay_state}) {event.status_text} {who}")


def create_app(
    verifier: Optional[signbridge.WebhookVerifier] = None,
    on_event: Callable[[WebhookEvent], None] = handle_event,
) -> Flask:
    # One verifier per endpoint: it remembers accepted deliveries to refuse replays.
    if verifier is None:
        secrets = os.environ.get("ZIGNSEC_WEBHOOK_SECRETS", "whsec-sim-0001").split(",")
        verifier = signbridge.WebhookVerifier(secrets)
    checker = verifier
    app = Flask(__name__)

    @app.post("/zignsec/webhook")
    def zignsec_webhook() -> tuple[str, int]:
        try:
            # The raw body, exactly as received: verify before parsing anything.
            event = checker.verify(request.headers.get(SIGNATURE_HEADER, ""), request.get_data())
        except WebhookInvalid:
            return "invalid signature", 401
        except WebhookReplay:
            return "replayed or stale delivery", 400
        on_event(event)
        return "", 200

    return app


app = create_app()
