"""signbridge: one client for Nordic eID and e-signature services, over a Rust core.

Everything here is defined by the compiled extension ``signbridge._native`` or generated from
the core's operation table (``client.securosys()``, ``zignsec_eid()``, ``onespan()``: one method
per operation, each a ``Client.call``, results the ``TypedDict``s of ``signbridge.call_types``);
this package re-exports it under friendlier names. Quick start against the local simulator::

    import signbridge

    with signbridge.Client(zignsec={"base_url": "http://127.0.0.1:8080", "keys": ["<key>"]}) as client:
        signing = client.zignsec_signing()
        started = signing.sign_documents([{"path": "contract.pdf"}])
        print("send the signer to", started["redirect_url"])
        signing.wait(started["id"], timeout_ms=600_000)
        signing.save_signed_files(started["id"], "signed/")

Browser-based eID (BankID SE, MitID, Freja eID, BankID NO) is ``client.zignsec_eid()``, with the
result by polling (``wait``), from the browser's return (``complete_redirect``,
``parse_redirect``) or from a webhook (``WebhookVerifier``)::

    eid = client.zignsec_eid()
    session = eid.create(product="bankid_se",
                         session={"redirect_success": "https://app/ok", "relay_state": "order-42"})
    # ... the user identifies at session["redirect_url"] ...
    result = eid.wait(session["id"], product="bankid_se", timeout_ms=600_000)
    print(result["identity"]["full_name"] if result["identity"] else None)

Provider-neutral document signing is ``client.signing()``: the same code signs with ZignSec
BankID Norway or OneSpan Sign, the configuration chooses (``client.onespan()`` has OneSpan's own
operations: ``get_package``, ``download``, ``audit``, ``packages()`` over every page of ``list``…;
``CallbackVerifier`` authenticates its callbacks)::

    signing = client.signing()
    started = signing.start(
        documents=[{"path": "contract.pdf"}],
        signers=[{"first_name": "Kari", "last_name": "Nordmann", "email": "kari@example.com"}],
    )
    print("send the signer to", started["signers"][0]["url"], "session", started["id"])
    signing.wait(started["id"], timeout_ms=600_000)
    signing.save_all(started["id"], "signed/")

The Securosys Primus HSM (keys, signing with and without approvals) is ``client.securosys()``::

    hsm = client.securosys()
    hsm.create_key("doc-signer", spec=signbridge.KeySpec.P256)
    alg = signbridge.KeySpec.P256.default_signature_algorithm
    signature = hsm.synchronous_sign("doc-signer", alg, payload=b"data")
    assert hsm.verify("doc-signer", alg, payload=b"data", signature=signature)

asyncio code (FastAPI, aiohttp) uses ``signbridge.AsyncClient``: the same services, methods and
result types, each call a coroutine on the one shared runtime; cancelling the task cancels the
call::

    async with signbridge.AsyncClient(zignsec={...}) as client:
        signing = client.zignsec_signing()
        started = await signing.sign_documents([{"path": "contract.pdf"}])
        done = await signing.wait(started["id"], timeout_ms=600_000)

Errors are ``signbridge.SignbridgeError`` subclasses (see ``signbridge.errors``); logging goes to
``logging.getLogger("signbridge")``.
"""

from . import errors
from ._native import (
    SIGNATURE_HEADER,
    call,
    operations,
    ApproverKey,
    AsyncClient,
    CallbackEvent,
    CallbackEventName,
    CallbackVerifier,
    Client,
    ExtendedKeyUsage,
    Identity,
    KeySpec,
    KeyUsage,
    PackageSigningStatus,
    PackageStatus,
    PayloadKind,
    Provider,
    ProviderErrorItem,
    RequestState,
    SessionStatus,
    SignatureAlgorithm,
    TaskKind,
    WebhookEvent,
    WebhookVerifier,
    __version__,
    parse_callback,
)
from ._policy import quorum_policy
from ._securosys import AsyncSecurosys, Securosys
from ._signing import AsyncSigning, Signing
from ._zignsec_signing import AsyncZignsecSigning, ZignsecSigning
from .errors import (
    Aborted,
    AuthError,
    ErrorCode,
    IntegrityError,
    InternalError,
    InvalidDocument,
    InvalidInput,
    InvalidState,
    NotFound,
    OutcomeUnknown,
    ProviderError,
    RateLimited,
    SessionCancelled,
    SessionError,
    SessionExpired,
    SessionRejected,
    SignbridgeError,
    SigningFailed,
    TimedOut,
    TransportError,
    WebhookInvalid,
    WebhookReplay,
)
from ._onespan_pages import AsyncOnespan, Onespan
from ._zignsec_eid import AsyncZignsecEid, ZignsecEid
from .call_types import ZignsecParseRedirectResult


def parse_redirect(url: str) -> ZignsecParseRedirectResult:
    """Read the URL the browser came back to (whole, or just its ``?query``) without any
    request: ``{"success", "relay_state", "session_id", "error_code", "error_text"}``. Raises
    ``InvalidInput`` when it cannot be parsed."""
    result: ZignsecParseRedirectResult = call("zignsec.parse_redirect", {"returned_url": url})
    return result

__all__ = [
    "call",
    "operations",
    "Aborted",
    "AsyncClient",
    "AsyncOnespan",
    "AsyncSecurosys",
    "AsyncSigning",
    "AsyncZignsecSigning",
    "AsyncZignsecEid",
    "ApproverKey",
    "AuthError",
    "CallbackEvent",
    "CallbackEventName",
    "CallbackVerifier",
    "Client",
    "ErrorCode",
    "ExtendedKeyUsage",
    "Identity",
    "IntegrityError",
    "InternalError",
    "InvalidDocument",
    "InvalidInput",
    "InvalidState",
    "KeySpec",
    "KeyUsage",
    "NotFound",
    "Onespan",
    "OutcomeUnknown",
    "PackageSigningStatus",
    "PackageStatus",
    "PayloadKind",
    "Provider",
    "ProviderError",
    "ProviderErrorItem",
    "RateLimited",
    "RequestState",
    "SIGNATURE_HEADER",
    "Securosys",
    "Signing",
    "ZignsecSigning",
    "SessionCancelled",
    "SessionError",
    "SessionExpired",
    "SessionRejected",
    "SessionStatus",
    "SignatureAlgorithm",
    "SignbridgeError",
    "SigningFailed",
    "TaskKind",
    "TimedOut",
    "TransportError",
    "WebhookEvent",
    "WebhookInvalid",
    "WebhookReplay",
    "WebhookVerifier",
    "ZignsecEid",
    "__version__",
    "errors",
    "parse_callback",
    "parse_redirect",
    "quorum_policy",
]
