# The hand-written source of signbridge/_native.pyi, the type stubs of the compiled extension.
# scripts/python-stubgen.py writes _native.pyi from it: each "# ---- insert: NAME ----" line
# becomes the generated fragment bindings-python/stubs/NAME (at the line's indentation), and the
# asyncio twins of the classes are appended. Edit here, then run `python3 scripts/python-stubgen.py`.
"""Type stubs of the compiled extension ``signbridge._native`` (checked by mypy.stubtest)."""

import enum
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Optional, Union, final, overload

from typing_extensions import disjoint_base

from signbridge import _onespan_pages, _securosys, _signing, _zignsec_eid, _zignsec_signing, call_types as _ct


__version__: str

_StrPath = Union[str, "os.PathLike[str]"]
_Buffer = Union[bytes, bytearray, memoryview]

def error_codes() -> list[tuple[str, int, bool, str]]:
    """The core's error table as (name, number, retryable, message), in numeric order."""

def operations() -> list[dict[str, Any]]:
    """The core's operation table: what `Client.call` runs, as dicts with "name", "summary",
    "request", "result", "long_running" and "needs_client" (False: the module-level `call`)."""

def call(operation: str, request: Optional[Mapping[str, Any]] = None) -> Any:
    """Run an operation that needs no client (``"pdf.verify"``) with a dict request."""

def _debug_panic() -> None:
    """Test hook: panics inside the panic boundary (raises InternalError, SB_ERR_PANIC)."""

# ---- insert: enums.pyi ----

class SignbridgeError(Exception):
    """Every error raised by signbridge."""

    code: ErrorCode
    name: str
    message: str
    http_status: Optional[int]
    provider_code: Optional[str]
    provider_description: Optional[str]
    retry_after: Optional[float]
    retryable: bool

# ---- insert: error_classes.pyi ----

@final
class ProviderErrorItem:
    """An error item the gateway reported for a session."""

    @property
    def code(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def status_code(self) -> Optional[int]: ...

@disjoint_base
class Client:
    """A signbridge client, built from a config dict or keyword arguments."""

    def __new__(
        cls, config: Union[Mapping[str, Any], str, None] = None, /, **kwargs: Any
    ) -> Client: ...
    @staticmethod
    def from_env() -> Client: ...
    def zignsec_signing(self) -> _zignsec_signing.ZignsecSigning: ...
    def zignsec_eid(self) -> _zignsec_eid.ZignsecEid: ...
    def securosys(self) -> _securosys.Securosys: ...
    def signing(self, provider: Union[Provider, str, None] = None) -> _signing.Signing: ...
    def onespan(self) -> _onespan_pages.Onespan: ...
    # Run an operation of the core's table by name with a dict request (see
    # signbridge.call_types for each operation's request and result).
    # ---- insert: call_overloads.pyi ----
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Client: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
        /,
    ) -> bool: ...

SIGNATURE_HEADER: str

@final
class Identity:
    """The identified person; every field is None when the product did not report it."""

    @property
    def full_name(self) -> Optional[str]: ...
    @property
    def first_name(self) -> Optional[str]: ...
    @property
    def last_name(self) -> Optional[str]: ...
    @property
    def personal_number(self) -> Optional[str]: ...
    @property
    def date_of_birth(self) -> Optional[str]: ...
    @property
    def country_code(self) -> Optional[str]: ...
    @property
    def gender(self) -> Optional[str]: ...
    @property
    def age(self) -> Optional[int]: ...

@final
class WebhookEvent:
    """A verified webhook delivery."""

    @property
    def event(self) -> str: ...
    @property
    def session_id(self) -> Optional[str]: ...
    @property
    def integration_id(self) -> Optional[str]: ...
    @property
    def relay_state(self) -> Optional[str]: ...
    @property
    def status(self) -> Optional[SessionStatus]: ...
    @property
    def status_text(self) -> Optional[str]: ...
    @property
    def errors(self) -> list[ProviderErrorItem]: ...
    @property
    def identity(self) -> Optional[Identity]: ...
    @property
    def workflow_session_id(self) -> Optional[str]: ...
    @property
    def raw(self) -> dict[str, Any]: ...

@final
class WebhookVerifier:
    """Authenticates webhook deliveries (X-ZignSec-Hmac-SHA256) with one call."""

    def __new__(
        cls,
        secrets: Iterable[str],
        tolerance: float = 300.0,
        replay_store_url: str | None = None,
    ) -> WebhookVerifier: ...
    def verify(self, signature_header: Optional[str], body: _Buffer) -> WebhookEvent: ...
    def verify_legacy(self, signature_header: Optional[str], body: _Buffer) -> WebhookEvent: ...
    @property
    def tolerance(self) -> float: ...

# ---- Securosys Primus HSM ----

_KeySpecLike = Union[KeySpec, str]
_AlgorithmLike = Union[SignatureAlgorithm, str]
_PayloadKindLike = Union[PayloadKind, str]
_TaskKindLike = Union[TaskKind, str]

@final
class ApproverKey:
    """An approver's private key, in memory; never shown."""

    @staticmethod
    def from_pem(pem: Union[str, bytes, bytearray, "os.PathLike[str]"]) -> ApproverKey: ...
    @staticmethod
    def from_pkcs8_der(der: _Buffer) -> ApproverKey: ...
    @staticmethod
    def generate_p256() -> tuple[ApproverKey, bytes]: ...
    @property
    def public_key_b64(self) -> str: ...
    @property
    def public_key_der(self) -> bytes: ...
    @property
    def digest_algorithm(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

_KeyUsages = Optional[Iterable[Union[KeyUsage, str]]]
_ExtendedKeyUsages = Optional[Iterable[Union[ExtendedKeyUsage, str]]]

# ---- the provider-neutral signing session ----

# ---- OneSpan Sign ----
# Its operations are the generated methods of client.onespan() (signbridge._onespan); here are
# its enums (from the core's enum table) and the verifier of its callbacks.

@final
class CallbackEvent:
    """An authenticated OneSpan callback delivery."""

    @property
    def name(self) -> CallbackEventName: ...
    @property
    def name_text(self) -> str: ...
    @property
    def package_id(self) -> Optional[str]: ...
    @property
    def session_user(self) -> Optional[str]: ...
    @property
    def message(self) -> Optional[str]: ...
    @property
    def document_id(self) -> Optional[str]: ...
    @property
    def created_date(self) -> Optional[str]: ...
    @property
    def raw(self) -> dict[str, Any]: ...

@final
class CallbackVerifier:
    """Authenticates OneSpan callback deliveries ("Authorization: Basic <key>")."""

    def __new__(cls, keys: Iterable[str]) -> CallbackVerifier: ...
    def verify(self, authorization: Optional[str], body: _Buffer) -> CallbackEvent: ...

def parse_callback(body: _Buffer) -> CallbackEvent:
    """Parse a callback body authenticated otherwise."""
