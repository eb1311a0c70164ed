"""signbridge: one client for Nordic eID and e-signature services, over a Rust core.

Everything here is defined by the compiled extension ``signbridge._native``; this package only
re-exports it under friendlier names. Quick start against the local simulator::

    import signbridge

    with signbridge.Client(zignsec={"base_url": "http://127.0.0.1:8080", "keys": ["<key>"]}) as client:
        signing = client.zignsec_signing()
        started = signing.sign_documents(["contract.pdf"])
        print("send the signer to", started.redirect_url)
        done = signing.wait(started.id, timeout=600)
        signing.save_signed_files(done, "signed/")

Errors are ``signbridge.SignbridgeError`` subclasses (see ``signbridge.errors``); logging goes to
``logging.getLogger("signbridge")``.
"""

from . import errors
from ._native import (
    Client,
    Document,
    FileRef,
    FileToSign,
    Placement,
    ProviderErrorItem,
    SessionStatus,
    SignerInfo,
    SigningSession,
    SigningStatus,
    StartedSession,
    StartedSigning,
    UploadedFile,
    ZignsecSigning,
    __version__,
)
from .errors import (
    Aborted,
    AuthError,
    ErrorCode,
    IntegrityError,
    InternalError,
    InvalidDocument,
    InvalidInput,
    NotFound,
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
)

__all__ = [
    "Aborted",
    "AuthError",
    "Client",
    "Document",
    "ErrorCode",
    "FileRef",
    "FileToSign",
    "IntegrityError",
    "InternalError",
    "InvalidDocument",
    "InvalidInput",
    "NotFound",
    "Placement",
    "ProviderError",
    "ProviderErrorItem",
    "RateLimited",
    "SessionCancelled",
    "SessionError",
    "SessionExpired",
    "SessionRejected",
    "SessionStatus",
    "SignbridgeError",
    "SignerInfo",
    "SigningFailed",
    "SigningSession",
    "SigningStatus",
    "StartedSession",
    "StartedSigning",
    "TimedOut",
    "TransportError",
    "UploadedFile",
    "ZignsecSigning",
    "__version__",
    "errors",
]
