"""The errors signbridge raises, and the error-code table.

``ErrorCode`` is an ``IntEnum`` built by the extension from the core's table (the same numbers as
the C header's ``SB_*`` constants); ``error_codes()`` returns that table as
``(name, number, retryable, message)`` tuples.

Every exception is a ``SignbridgeError`` carrying ``code``, ``name``, ``message``,
``http_status``, ``provider_code``, ``provider_description``, ``retry_after`` (seconds) and
``retryable``, with one subclass per range of codes so ``except`` clauses read naturally::

    SignbridgeError
    ├── InvalidInput (1xx)        └── InvalidDocument
    ├── AuthError (2xx)           ├── WebhookInvalid, WebhookReplay
    ├── TransportError (3xx)      ├── TimedOut, IntegrityError, OutcomeUnknown
    ├── ProviderError (4xx)       ├── NotFound, RateLimited
    ├── InvalidState (403: a wrong state, found locally or by the provider)
    ├── SessionError (5xx)        ├── SessionCancelled, SessionRejected, SessionExpired,
    │                             │   SigningFailed, Aborted
    └── InternalError (9xx, a contained panic included)
"""

from ._native import (
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
    error_codes,
)

__all__ = [
    "Aborted",
    "AuthError",
    "ErrorCode",
    "IntegrityError",
    "InternalError",
    "InvalidDocument",
    "InvalidInput",
    "InvalidState",
    "NotFound",
    "OutcomeUnknown",
    "ProviderError",
    "RateLimited",
    "SessionCancelled",
    "SessionError",
    "SessionExpired",
    "SessionRejected",
    "SignbridgeError",
    "SigningFailed",
    "TimedOut",
    "TransportError",
    "WebhookInvalid",
    "WebhookReplay",
    "error_codes",
]
