"""Type stubs of the compiled extension ``signbridge._native`` (checked by mypy.stubtest)."""

import enum
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Optional, Union, final


__version__: str

_StrPath = Union[str, "os.PathLike[str]"]
_Buffer = Union[bytes, bytearray, memoryview]

def error_codes() -> list[tuple[str, int, bool, str]]:
    """The core's error table as (name, number, retryable, message), in numeric order."""

def _debug_panic() -> None:
    """Test hook: panics inside the panic boundary (raises InternalError, SB_ERR_PANIC)."""

# The members mirror the core's table (`_native.error_codes()`); mypy.stubtest fails in
# `make test-python` when a code is added to the core and not here.
class ErrorCode(enum.IntEnum):
    """The stable error codes of signbridge, equal to the core's table."""

    SB_OK = 0
    SB_ERR_INVALID_ARGUMENT = 100
    SB_ERR_INVALID_DOCUMENT = 101
    SB_ERR_INVALID_CONFIG = 102
    SB_ERR_WRONG_CONTEXT = 103
    SB_ERR_IO = 104
    SB_ERR_AUTH = 200
    SB_ERR_AUTH_CONFIG_MISSING = 201
    SB_ERR_FORBIDDEN = 202
    SB_ERR_WEBHOOK_INVALID = 203
    SB_ERR_WEBHOOK_REPLAY = 204
    SB_ERR_NETWORK = 300
    SB_ERR_TLS = 301
    SB_ERR_TIMEOUT = 302
    SB_ERR_PROTOCOL = 303
    SB_ERR_INTEGRITY = 304
    SB_ERR_OUTCOME_UNKNOWN = 305
    SB_ERR_PROVIDER = 400
    SB_ERR_NOT_FOUND = 401
    SB_ERR_RATE_LIMITED = 402
    SB_ERR_INVALID_STATE = 403
    SB_ERR_PROVIDER_UNAVAILABLE = 404
    SB_ERR_CANCELLED = 500
    SB_ERR_REJECTED = 501
    SB_ERR_SESSION_EXPIRED = 502
    SB_ERR_SIGNING_FAILED = 503
    SB_ERR_ABORTED = 510
    SB_ERR_INTERNAL = 900
    SB_ERR_PANIC = 901

class SessionStatus(str, enum.Enum):
    """The state of a signing session; OTHER is a state this version does not know."""

    CREATED = "Created"
    PENDING = "Pending"
    FINISHED = "Finished"
    CANCELLED = "Cancelled"
    REJECTED = "Rejected"
    FAILED = "Failed"
    EXPIRED = "Expired"
    OTHER = "Other"

    def __new__(cls, value: object) -> SessionStatus: ...

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

class InvalidInput(SignbridgeError): ...
class InvalidDocument(InvalidInput): ...
class AuthError(SignbridgeError): ...
class TransportError(SignbridgeError): ...
class TimedOut(TransportError): ...
class IntegrityError(TransportError): ...
class ProviderError(SignbridgeError): ...
class NotFound(ProviderError): ...
class RateLimited(ProviderError): ...
class SessionError(SignbridgeError): ...
class SessionCancelled(SessionError): ...
class SessionRejected(SessionError): ...
class SessionExpired(SessionError): ...
class SigningFailed(SessionError): ...
class Aborted(SessionError): ...
class InternalError(SignbridgeError): ...

@final
class SigningSession:
    """A created signing session."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def status_text(self) -> str: ...

@final
class UploadedFile:
    """A file accepted into a session."""

    @property
    def session_id(self) -> str: ...
    @property
    def file_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def md5(self) -> Optional[str]: ...

@final
class StartedSigning:
    """The answer to start(): where to send the signer."""

    @property
    def redirect_url(self) -> str: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def status_text(self) -> str: ...

@final
class StartedSession:
    """The answer to sign_documents(): a started session."""

    @property
    def id(self) -> str: ...
    @property
    def redirect_url(self) -> str: ...
    @property
    def files(self) -> list[UploadedFile]: ...

@final
class FileRef:
    """A file of a session (an original or a signed one)."""

    def __new__(
        cls,
        id: str,
        name: str = "",
        url: Optional[str] = None,
        mime_type: Optional[str] = None,
        md5: Optional[str] = None,
    ) -> FileRef: ...
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> Optional[str]: ...
    @property
    def mime_type(self) -> Optional[str]: ...
    @property
    def md5(self) -> Optional[str]: ...

@final
class ProviderErrorItem:
    """An error item the gateway reported for a session."""

    @property
    def code(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def status_code(self) -> Optional[int]: ...

@final
class SignerInfo:
    """Who signed, when the gateway reports it."""

    @property
    def name(self) -> Optional[str]: ...
    @property
    def personal_number(self) -> Optional[str]: ...

@final
class SigningStatus:
    """The state of a signing session, as status() and wait() return it."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def status_text(self) -> str: ...
    @property
    def is_terminal(self) -> bool: ...
    @property
    def relay_state(self) -> Optional[str]: ...
    @property
    def errors(self) -> list[ProviderErrorItem]: ...
    @property
    def input_files(self) -> list[FileRef]: ...
    @property
    def signed_files(self) -> list[FileRef]: ...
    @property
    def signer(self) -> Optional[SignerInfo]: ...

@final
class Placement:
    """Where the visible signature goes: page from 1, x/y in PDF points."""

    def __new__(cls, page: int, x: float, y: float) -> Placement: ...
    @property
    def page(self) -> int: ...
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...

@final
class FileToSign:
    """One uploaded file to sign and where its signature goes (for start())."""

    def __new__(cls, file_id: str, placement: Optional[Placement] = None) -> FileToSign: ...
    @property
    def file_id(self) -> str: ...
    @property
    def placement(self) -> Optional[Placement]: ...

@final
class Document:
    """A document to sign: PDF bytes, a name and an optional placement."""

    def __new__(cls, data: _Buffer, name: str, placement: Optional[Placement] = None) -> Document: ...
    @staticmethod
    def from_path(path: _StrPath, placement: Optional[Placement] = None) -> Document: ...
    @property
    def name(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def placement(self) -> Optional[Placement]: ...

@final
class Client:
    """A signbridge client, built from a config dict or keyword arguments."""

    def __new__(
        cls, config: Union[Mapping[str, Any], str, None] = None, /, **kwargs: Any
    ) -> Client: ...
    @staticmethod
    def from_env() -> Client: ...
    def zignsec_signing(self) -> ZignsecSigning: ...
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

@final
class ZignsecSigning:
    """BankID Norway signing through ZignSec."""

    def create(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> SigningSession: ...
    def upload_bytes(self, session_id: str, name: str, data: _Buffer) -> UploadedFile: ...
    def upload_path(self, session_id: str, path: _StrPath) -> UploadedFile: ...
    def start(
        self,
        session_id: str,
        files: Iterable[Union[str, UploadedFile, FileToSign]],
        *,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
    ) -> StartedSigning: ...
    def sign_documents(
        self,
        documents: Iterable[Union[Document, _StrPath]],
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> StartedSession: ...
    def status(self, session_id: str) -> SigningStatus: ...
    def wait(
        self,
        session_id: str,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[SigningStatus], object]] = None,
    ) -> SigningStatus: ...
    def download(self, file: FileRef) -> bytes: ...
    def download_file(self, session_id: str, file_id: str) -> bytes: ...
    def download_to(self, file: FileRef, path: _StrPath) -> int: ...
    def save_signed_files(self, state: SigningStatus, dir: _StrPath) -> list[Path]: ...
