"""Type stubs of the compiled extension ``signbridge._native`` (checked by mypy.stubtest)."""

import enum
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Optional, Union, final, overload

from typing_extensions import disjoint_base

from signbridge import _securosys, call_types as _ct

from signbridge.onespan_types import (
    OnespanDocumentSpec,
    OnespanPackageSpec,
    OnespanPackageUpdate,
)


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
    """The state of a signing or eID session; OTHER is a state this version does not know."""

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
class WebhookInvalid(AuthError): ...
class WebhookReplay(AuthError): ...
class TransportError(SignbridgeError): ...
class TimedOut(TransportError): ...
class IntegrityError(TransportError): ...
class OutcomeUnknown(TransportError): ...
class ProviderError(SignbridgeError): ...
class NotFound(ProviderError): ...
class RateLimited(ProviderError): ...
class InvalidState(SignbridgeError): ...
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
    def md5(self) -> Optional[str]:
        """The md5 digest as the gateway reported it: base64 (hex from gateways that send hex)."""
    @property
    def md5_hex(self) -> Optional[str]:
        """The reported md5 as 32 lowercase hex digits (``md5sum``'s form); None when absent."""

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

@disjoint_base
class Client:
    """A signbridge client, built from a config dict or keyword arguments."""

    def __new__(
        cls, config: Union[Mapping[str, Any], str, None] = None, /, **kwargs: Any
    ) -> Client: ...
    @staticmethod
    def from_env() -> Client: ...
    def zignsec_signing(self) -> ZignsecSigning: ...
    def zignsec_eid(self) -> ZignsecEid: ...
    def securosys(self) -> _securosys.Securosys: ...
    def signing(self, provider: Union[Provider, str, None] = None) -> Signing: ...
    def onespan(self) -> Onespan: ...
    # Run an operation of the core's table by name with a dict request (see
    # signbridge.call_types for each operation's request and result).
    # ---- generated: call overloads (core/tests/python_call_types.rs); do not edit ----
    @overload
    def call(self, operation: Literal["securosys.version_info"], request: _ct.SecurosysVersionInfoRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysVersionInfoResult: ...
    @overload
    def call(self, operation: Literal["securosys.license_info"], request: _ct.SecurosysLicenseInfoRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysLicenseInfoResult: ...
    @overload
    def call(self, operation: Literal["securosys.create_key"], request: _ct.SecurosysCreateKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.get_key"], request: _ct.SecurosysGetKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysGetKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.public_key"], request: _ct.SecurosysPublicKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysPublicKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.list_keys"], request: _ct.SecurosysListKeysRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysListKeysResult: ...
    @overload
    def call(self, operation: Literal["securosys.delete_key"], request: _ct.SecurosysDeleteKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeleteKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_sign"], request: _ct.SecurosysSynchronousSignRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousSignResult: ...
    @overload
    def call(self, operation: Literal["securosys.verify"], request: _ct.SecurosysVerifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysVerifyResult: ...
    @overload
    def call(self, operation: Literal["securosys.sign"], request: _ct.SecurosysSignRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSignResult: ...
    @overload
    def call(self, operation: Literal["securosys.request_status"], request: _ct.SecurosysRequestStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRequestStatusResult: ...
    @overload
    def call(self, operation: Literal["securosys.cancel_request"], request: _ct.SecurosysCancelRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCancelRequestResult: ...
    @overload
    def call(self, operation: Literal["securosys.wait_request"], request: _ct.SecurosysWaitRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitRequestResult: ...
    @overload
    def call(self, operation: Literal["securosys.list_approval_tasks"], request: _ct.SecurosysListApprovalTasksRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysListApprovalTasksResult: ...
    @overload
    def call(self, operation: Literal["securosys.approve"], request: _ct.SecurosysApproveRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApproveResult: ...
    @overload
    def call(self, operation: Literal["securosys.reject"], request: _ct.SecurosysRejectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRejectResult: ...
    @overload
    def call(self, operation: Literal["securosys.self_signed_certificate"], request: _ct.SecurosysSelfSignedCertificateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSelfSignedCertificateResult: ...
    @overload
    def call(self, operation: Literal["securosys.certificate_signing_request"], request: _ct.SecurosysCertificateSigningRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCertificateSigningRequestResult: ...
    @overload
    def call(self, operation: Literal["securosys.request_self_signed_certificate"], request: _ct.SecurosysRequestSelfSignedCertificateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRequestSelfSignedCertificateResult: ...
    @overload
    def call(self, operation: Literal["securosys.request_certificate_signing_request"], request: _ct.SecurosysRequestCertificateSigningRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRequestCertificateSigningRequestResult: ...
    @overload
    def call(self, operation: Literal["securosys.wait_certificate"], request: _ct.SecurosysWaitCertificateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitCertificateResult: ...
    @overload
    def call(self, operation: Literal["securosys.wait_certificate_signing_request"], request: _ct.SecurosysWaitCertificateSigningRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitCertificateSigningRequestResult: ...
    @overload
    def call(self, operation: Literal["securosys.key_spec"], request: _ct.SecurosysKeySpecRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysKeySpecResult: ...
    @overload
    def call(self, operation: Literal["securosys.quorum_policy"], request: _ct.SecurosysQuorumPolicyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysQuorumPolicyResult: ...
    @overload
    def call(self, operation: Literal["securosys.approver_key"], request: _ct.SecurosysApproverKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApproverKeyResult: ...
    @overload
    def call(self, operation: Literal["signing.start"], request: _ct.SigningStartRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningStartResult: ...
    @overload
    def call(self, operation: Literal["signing.status"], request: _ct.SigningStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningStatusResult: ...
    @overload
    def call(self, operation: Literal["signing.wait"], request: _ct.SigningWaitRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningWaitResult: ...
    @overload
    def call(self, operation: Literal["signing.result"], request: _ct.SigningResultRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningResultResult: ...
    @overload
    def call(self, operation: Literal["signing.download"], request: _ct.SigningDownloadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningDownloadResult: ...
    @overload
    def call(self, operation: Literal["signing.save_all"], request: _ct.SigningSaveAllRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningSaveAllResult: ...
    @overload
    def call(self, operation: Literal["signing.cancel"], request: _ct.SigningCancelRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningCancelResult: ...
    @overload
    def call(self, operation: Literal["pdf.verify"], request: _ct.PdfVerifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.PdfVerifyResult: ...
    @overload
    def call(self, operation: Literal["zignsec.create_signing"], request: _ct.ZignsecCreateSigningRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecCreateSigningResult: ...
    @overload
    def call(self, operation: Literal["zignsec.upload"], request: _ct.ZignsecUploadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecUploadResult: ...
    @overload
    def call(self, operation: Literal["zignsec.start_signing"], request: _ct.ZignsecStartSigningRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecStartSigningResult: ...
    @overload
    def call(self, operation: Literal["zignsec.sign_documents"], request: _ct.ZignsecSignDocumentsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSignDocumentsResult: ...
    @overload
    def call(self, operation: Literal["zignsec.download"], request: _ct.ZignsecDownloadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecDownloadResult: ...
    @overload
    def call(self, operation: Literal["zignsec.download_to"], request: _ct.ZignsecDownloadToRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecDownloadToResult: ...
    @overload
    def call(self, operation: Literal["zignsec.download_file"], request: _ct.ZignsecDownloadFileRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecDownloadFileResult: ...
    @overload
    def call(self, operation: Literal["zignsec.signing_status"], request: _ct.ZignsecSigningStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSigningStatusResult: ...
    @overload
    def call(self, operation: Literal["zignsec.wait_signing"], request: _ct.ZignsecWaitSigningRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecWaitSigningResult: ...
    @overload
    def call(self, operation: Literal["zignsec.save_signed_files"], request: _ct.ZignsecSaveSignedFilesRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSaveSignedFilesResult: ...
    @overload
    def call(self, operation: Literal["zignsec.complete_signing_redirect"], request: _ct.ZignsecCompleteSigningRedirectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecCompleteSigningRedirectResult: ...
    @overload
    def call(self, operation: Literal["zignsec.session_call"], request: _ct.ZignsecSessionCallRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSessionCallResult: ...
    @overload
    def call(self, operation: Literal["onespan.create_package"], request: _ct.OnespanCreatePackageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanCreatePackageResult: ...
    @overload
    def call(self, operation: Literal["onespan.get_package"], request: _ct.OnespanGetPackageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanGetPackageResult: ...
    @overload
    def call(self, operation: Literal["onespan.status"], request: _ct.OnespanStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanStatusResult: ...
    @overload
    def call(self, operation: Literal["onespan.signing_url"], request: _ct.OnespanSigningUrlRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanSigningUrlResult: ...
    @overload
    def call(self, operation: Literal["onespan.send"], request: _ct.OnespanSendRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanSendResult: ...
    @overload
    def call(self, operation: Literal["onespan.trash"], request: _ct.OnespanTrashRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanTrashResult: ...
    @overload
    def call(self, operation: Literal["onespan.restore"], request: _ct.OnespanRestoreRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanRestoreResult: ...
    @overload
    def call(self, operation: Literal["onespan.archive"], request: _ct.OnespanArchiveRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanArchiveResult: ...
    @overload
    def call(self, operation: Literal["onespan.delete"], request: _ct.OnespanDeleteRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanDeleteResult: ...
    @overload
    def call(self, operation: Literal["onespan.wait"], request: _ct.OnespanWaitRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanWaitResult: ...
    @overload
    def call(self, operation: Literal["securosys.encrypt"], request: _ct.SecurosysEncryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysEncryptResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_decrypt"], request: _ct.SecurosysSynchronousDecryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousDecryptResult: ...
    @overload
    def call(self, operation: Literal["securosys.decrypt"], request: _ct.SecurosysDecryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDecryptResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_hmac"], request: _ct.SecurosysSynchronousHmacRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousHmacResult: ...
    @overload
    def call(self, operation: Literal["securosys.verify_hmac"], request: _ct.SecurosysVerifyHmacRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysVerifyHmacResult: ...
    @overload
    def call(self, operation: Literal["securosys.generate_random"], request: _ct.SecurosysGenerateRandomRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysGenerateRandomResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_block"], request: _ct.SecurosysSynchronousBlockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousBlockResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_unblock"], request: _ct.SecurosysSynchronousUnblockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousUnblockResult: ...
    @overload
    def call(self, operation: Literal["securosys.block"], request: _ct.SecurosysBlockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysBlockResult: ...
    @overload
    def call(self, operation: Literal["securosys.unblock"], request: _ct.SecurosysUnblockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysUnblockResult: ...
    @overload
    def call(self, operation: Literal["securosys.wait_request_done"], request: _ct.SecurosysWaitRequestDoneRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitRequestDoneResult: ...
    @overload
    def call(self, operation: Literal["securosys.wrap_key"], request: _ct.SecurosysWrapKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWrapKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_unwrap_key"], request: _ct.SecurosysSynchronousUnwrapKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousUnwrapKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.unwrap_key"], request: _ct.SecurosysUnwrapKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysUnwrapKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.approval_tasks_page"], request: _ct.SecurosysApprovalTasksPageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApprovalTasksPageResult: ...
    @overload
    def call(self, operation: Literal["securosys.all_approval_tasks"], request: _ct.SecurosysAllApprovalTasksRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysAllApprovalTasksResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_modify"], request: _ct.SecurosysSynchronousModifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousModifyResult: ...
    @overload
    def call(self, operation: Literal["securosys.modify"], request: _ct.SecurosysModifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysModifyResult: ...
    @overload
    def call(self, operation: Literal["securosys.create_data_object"], request: _ct.SecurosysCreateDataObjectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateDataObjectResult: ...
    @overload
    def call(self, operation: Literal["securosys.read_data_object"], request: _ct.SecurosysReadDataObjectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysReadDataObjectResult: ...
    @overload
    def call(self, operation: Literal["securosys.delete_data_object"], request: _ct.SecurosysDeleteDataObjectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeleteDataObjectResult: ...
    @overload
    def call(self, operation: Literal["securosys.filtered_requests"], request: _ct.SecurosysFilteredRequestsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysFilteredRequestsResult: ...
    @overload
    def call(self, operation: Literal["securosys.create_rfc_timestamp"], request: _ct.SecurosysCreateRfcTimestampRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateRfcTimestampResult: ...
    @overload
    def call(self, operation: Literal["securosys.key_attestation"], request: _ct.SecurosysKeyAttestationRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysKeyAttestationResult: ...
    @overload
    def call(self, operation: Literal["securosys.keystore_statistics"], request: _ct.SecurosysKeystoreStatisticsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysKeystoreStatisticsResult: ...
    @overload
    def call(self, operation: Literal["securosys.hsm_log"], request: _ct.SecurosysHsmLogRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysHsmLogResult: ...
    @overload
    def call(self, operation: Literal["securosys.import_seed_key"], request: _ct.SecurosysImportSeedKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysImportSeedKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.derive_key"], request: _ct.SecurosysDeriveKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeriveKeyResult: ...
    @overload
    def call(self, operation: Literal["securosys.file_encrypt"], request: _ct.SecurosysFileEncryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysFileEncryptResult: ...
    @overload
    def call(self, operation: Literal["securosys.synchronous_file_decrypt"], request: _ct.SecurosysSynchronousFileDecryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousFileDecryptResult: ...
    @overload
    def call(self, operation: Literal["securosys.create_approver"], request: _ct.SecurosysCreateApproverRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateApproverResult: ...
    @overload
    def call(self, operation: Literal["securosys.renew_approver_one_time_code"], request: _ct.SecurosysRenewApproverOneTimeCodeRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRenewApproverOneTimeCodeResult: ...
    @overload
    def call(self, operation: Literal["securosys.approver_status"], request: _ct.SecurosysApproverStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApproverStatusResult: ...
    @overload
    def call(self, operation: Literal["securosys.delete_approver"], request: _ct.SecurosysDeleteApproverRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeleteApproverResult: ...
    @overload
    def call(self, operation: Literal["securosys.onboard_approver"], request: _ct.SecurosysOnboardApproverRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysOnboardApproverResult: ...
    @overload
    def call(self, operation: Literal["onespan.create_package_in_steps"], request: _ct.OnespanCreatePackageInStepsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanCreatePackageInStepsResult: ...
    @overload
    def call(self, operation: Literal["onespan.add_document"], request: _ct.OnespanAddDocumentRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanAddDocumentResult: ...
    @overload
    def call(self, operation: Literal["onespan.update_package"], request: _ct.OnespanUpdatePackageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanUpdatePackageResult: ...
    @overload
    def call(self, operation: Literal["onespan.signing_status"], request: _ct.OnespanSigningStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanSigningStatusResult: ...
    @overload
    def call(self, operation: Literal["onespan.audit"], request: _ct.OnespanAuditRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanAuditResult: ...
    @overload
    def call(self, operation: Literal["onespan.download"], request: _ct.OnespanDownloadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanDownloadResult: ...
    @overload
    def call(self, operation: Literal["onespan.list"], request: _ct.OnespanListRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanListResult: ...
    @overload
    def call(self, operation: Literal["onespan.list_all"], request: _ct.OnespanListAllRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanListAllResult: ...
    @overload
    def call(self, operation: Literal["onespan.register_callback"], request: _ct.OnespanRegisterCallbackRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanRegisterCallbackResult: ...
    @overload
    def call(self, operation: Literal["onespan.get_callback"], request: _ct.OnespanGetCallbackRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanGetCallbackResult: ...
    @overload
    def call(self, operation: Literal["zignsec.eid_create"], request: _ct.ZignsecEidCreateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidCreateResult: ...
    @overload
    def call(self, operation: Literal["zignsec.eid_result"], request: _ct.ZignsecEidResultRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidResultResult: ...
    @overload
    def call(self, operation: Literal["zignsec.eid_wait"], request: _ct.ZignsecEidWaitRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidWaitResult: ...
    @overload
    def call(self, operation: Literal["zignsec.eid_complete_redirect"], request: _ct.ZignsecEidCompleteRedirectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidCompleteRedirectResult: ...
    @overload
    def call(self, operation: Literal["zignsec.parse_redirect"], request: _ct.ZignsecParseRedirectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecParseRedirectResult: ...
    @overload
    def call(self, operation: str, request: Optional[Mapping[str, Any]] = None, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> Any: ...
    # ---- end of generated call overloads ----
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

@disjoint_base
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
    def complete_redirect(
        self,
        session_id: str,
        returned_url: str,
        expected_relay_state: Optional[str] = None,
    ) -> SigningStatus: ...
    def download(self, file: FileRef) -> bytes: ...
    def download_file(self, session_id: str, file_id: str) -> bytes: ...
    def download_to(self, file: FileRef, path: _StrPath) -> int: ...
    def save_signed_files(self, state: SigningStatus, dir: _StrPath) -> list[Path]: ...

SIGNATURE_HEADER: str

@final
class EidProduct:
    """Which eID product a session is for, and so which gateway paths create and read it."""

    @staticmethod
    def bankid_se() -> EidProduct: ...
    @staticmethod
    def mitid() -> EidProduct: ...
    @staticmethod
    def mitid_cpr_match() -> EidProduct: ...
    @staticmethod
    def freja() -> EidProduct: ...
    @staticmethod
    def bankid_no() -> EidProduct: ...
    @staticmethod
    def core(category: str, product: str) -> EidProduct: ...
    @staticmethod
    def v5(provider: str, operation: str) -> EidProduct: ...
    @property
    def create_path(self) -> str: ...
    @property
    def result_prefix(self) -> str: ...

@final
class EidSession:
    """A created eID session: send the user's browser to redirect_url."""

    @property
    def id(self) -> str: ...
    @property
    def redirect_url(self) -> str: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def status_text(self) -> str: ...

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
class EidResult:
    """The state and result of an eID session, as result() and wait() return it."""

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
    def identity(self) -> Optional[Identity]: ...
    @property
    def raw_result(self) -> dict[str, Any]: ...

@final
class RedirectOutcome:
    """What the browser's return to your target URL says."""

    @property
    def success(self) -> bool: ...
    @property
    def relay_state(self) -> Optional[str]: ...
    @property
    def session_id(self) -> Optional[str]: ...
    @property
    def error_code(self) -> Optional[str]: ...
    @property
    def error_text(self) -> Optional[str]: ...
    def error(self) -> Optional[SignbridgeError]:
        """The exception this outcome stands for (returned, not raised), or None on success."""

def parse_redirect(url: str) -> RedirectOutcome:
    """Read the URL the browser came back to (full, or just its query), without a request."""

@disjoint_base
class ZignsecEid:
    """Browser-based eID sessions through ZignSec (BankID SE, MitID, Freja eID, BankID NO)."""

    def create(
        self,
        product: EidProduct,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> EidSession: ...
    def bankid_se(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        personal_number: Optional[str] = None,
    ) -> EidSession: ...
    def mitid(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        action: Optional[str] = None,
        level: Optional[str] = None,
        language: Optional[str] = None,
        requested_attributes: Optional[Iterable[str]] = None,
        cpr_number: Optional[str] = None,
    ) -> EidSession: ...
    def freja(
        self,
        *,
        country: str,
        ssn: str,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        attributes_to_return: Optional[Iterable[str]] = None,
        min_registration_level: Optional[str] = None,
    ) -> EidSession: ...
    def bankid_no(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> EidSession: ...
    def result(self, product: EidProduct, session_id: str) -> EidResult: ...
    def wait(
        self,
        product: EidProduct,
        session_id: str,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[EidResult], object]] = None,
    ) -> EidResult: ...
    def complete_redirect(
        self,
        product: EidProduct,
        session_id: str,
        returned_url: str,
        expected_relay_state: Optional[str] = None,
    ) -> EidResult: ...

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

class KeySpec(str, enum.Enum):
    """The key types Securosys.create_key(spec=) creates; its value ("p256") works too."""

    RSA_2048 = "rsa2048"
    RSA_3072 = "rsa3072"
    RSA_4096 = "rsa4096"
    P256 = "p256"
    P384 = "p384"
    ED25519 = "ed25519"

    def __new__(cls, value: object) -> KeySpec: ...
    @property
    def default_signature_algorithm(self) -> SignatureAlgorithm:
        """The usual signature algorithm for this key type (SHA-256 or SHA-384 based; EdDSA)."""

class SignatureAlgorithm(str, enum.Enum):
    """Signature algorithms of the TSB; NONE... variants sign a digest the caller computed."""

    SHA224_WITH_RSA = "SHA224_WITH_RSA"
    SHA256_WITH_RSA = "SHA256_WITH_RSA"
    SHA384_WITH_RSA = "SHA384_WITH_RSA"
    SHA512_WITH_RSA = "SHA512_WITH_RSA"
    SHA224_WITH_RSA_PSS = "SHA224_WITH_RSA_PSS"
    SHA256_WITH_RSA_PSS = "SHA256_WITH_RSA_PSS"
    SHA384_WITH_RSA_PSS = "SHA384_WITH_RSA_PSS"
    SHA512_WITH_RSA_PSS = "SHA512_WITH_RSA_PSS"
    NONESHA224_WITH_RSA = "NONESHA224_WITH_RSA"
    NONESHA256_WITH_RSA = "NONESHA256_WITH_RSA"
    NONESHA384_WITH_RSA = "NONESHA384_WITH_RSA"
    NONESHA512_WITH_RSA = "NONESHA512_WITH_RSA"
    NONESHA224_WITH_RSA_PSS = "NONESHA224_WITH_RSA_PSS"
    NONESHA256_WITH_RSA_PSS = "NONESHA256_WITH_RSA_PSS"
    NONESHA384_WITH_RSA_PSS = "NONESHA384_WITH_RSA_PSS"
    NONESHA512_WITH_RSA_PSS = "NONESHA512_WITH_RSA_PSS"
    NONE_WITH_RSA = "NONE_WITH_RSA"
    SHA224_WITH_ECDSA = "SHA224_WITH_ECDSA"
    SHA256_WITH_ECDSA = "SHA256_WITH_ECDSA"
    SHA384_WITH_ECDSA = "SHA384_WITH_ECDSA"
    SHA512_WITH_ECDSA = "SHA512_WITH_ECDSA"
    SHA256_WITH_ECDSA_DETERMINISTIC = "SHA256_WITH_ECDSA_DETERMINISTIC"
    NONE_WITH_ECDSA = "NONE_WITH_ECDSA"
    EDDSA = "EDDSA"

    def __new__(cls, value: object) -> SignatureAlgorithm: ...

class PayloadKind(str, enum.Enum):
    """Whether a payload is the data itself (RAW) or a digest the caller computed (DIGEST)."""

    RAW = "raw"
    DIGEST = "digest"

    def __new__(cls, value: object) -> PayloadKind: ...

class RequestState(str, enum.Enum):
    """The state of an asynchronous Securosys request; OTHER is a state this version does not know."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    EXECUTED = "EXECUTED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    OTHER = "OTHER"

    def __new__(cls, value: object) -> RequestState: ...

class TaskKind(str, enum.Enum):
    """Which approval tasks Securosys.list_approval_tasks() lists."""

    SIGN = "sign"
    DECRYPT = "decrypt"
    MODIFY_KEY = "modify_key"
    BLOCK_KEY = "block_key"
    UNBLOCK_KEY = "unblock_key"
    UNWRAP_KEY = "unwrap_key"
    ALL = "all"

    def __new__(cls, value: object) -> TaskKind: ...

_KeySpecLike = Union[KeySpec, str]
_AlgorithmLike = Union[SignatureAlgorithm, str]
_PayloadKindLike = Union[PayloadKind, str]
_TaskKindLike = Union[TaskKind, str]
_Approver = Union["ApproverKey", str]

@final
class KeyAttributes:
    """A key's attribute flags; None = not sent / not reported."""

    def __new__(
        cls,
        *,
        encrypt: Optional[bool] = ...,
        decrypt: Optional[bool] = ...,
        verify: Optional[bool] = ...,
        sign: Optional[bool] = ...,
        wrap: Optional[bool] = ...,
        unwrap: Optional[bool] = ...,
        derive: Optional[bool] = ...,
        bip32: Optional[bool] = ...,
        slip10: Optional[bool] = ...,
        extractable: Optional[bool] = ...,
        modifiable: Optional[bool] = ...,
        destroyable: Optional[bool] = ...,
        sensitive: Optional[bool] = ...,
        copyable: Optional[bool] = ...,
        always_sensitive: Optional[bool] = ...,
        never_extractable: Optional[bool] = ...,
    ) -> KeyAttributes: ...
    @staticmethod
    def signing() -> KeyAttributes: ...
    def replace(
        self,
        *,
        encrypt: Optional[bool] = ...,
        decrypt: Optional[bool] = ...,
        verify: Optional[bool] = ...,
        sign: Optional[bool] = ...,
        wrap: Optional[bool] = ...,
        unwrap: Optional[bool] = ...,
        derive: Optional[bool] = ...,
        bip32: Optional[bool] = ...,
        slip10: Optional[bool] = ...,
        extractable: Optional[bool] = ...,
        modifiable: Optional[bool] = ...,
        destroyable: Optional[bool] = ...,
        sensitive: Optional[bool] = ...,
        copyable: Optional[bool] = ...,
        always_sensitive: Optional[bool] = ...,
        never_extractable: Optional[bool] = ...,
    ) -> KeyAttributes: ...
    def __signbridge_json__(self) -> dict[str, bool]:
        """The flags as an operation's request takes them (``attributes``)."""
    def to_dict(self) -> dict[str, bool]: ...
    @property
    def encrypt(self) -> Optional[bool]: ...
    @property
    def decrypt(self) -> Optional[bool]: ...
    @property
    def verify(self) -> Optional[bool]: ...
    @property
    def sign(self) -> Optional[bool]: ...
    @property
    def wrap(self) -> Optional[bool]: ...
    @property
    def unwrap(self) -> Optional[bool]: ...
    @property
    def derive(self) -> Optional[bool]: ...
    @property
    def bip32(self) -> Optional[bool]: ...
    @property
    def slip10(self) -> Optional[bool]: ...
    @property
    def extractable(self) -> Optional[bool]: ...
    @property
    def modifiable(self) -> Optional[bool]: ...
    @property
    def destroyable(self) -> Optional[bool]: ...
    @property
    def sensitive(self) -> Optional[bool]: ...
    @property
    def copyable(self) -> Optional[bool]: ...
    @property
    def always_sensitive(self) -> Optional[bool]: ...
    @property
    def never_extractable(self) -> Optional[bool]: ...

@final
class Policy:
    """A Smart Key Attributes approval policy: who must approve the use of a key."""

    @staticmethod
    def quorum(
        quorum: int,
        approvers: Union[Mapping[str, _Approver], Iterable[tuple[str, _Approver]]],
        timeout: int = 0,
    ) -> Policy: ...
    @staticmethod
    def from_dict(policy: Mapping[str, Any]) -> Policy: ...
    def __signbridge_json__(self) -> dict[str, Any]:
        """The policy as an operation's request takes it (``policy``)."""
    def to_dict(self) -> dict[str, Any]: ...

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

class KeyUsage(str, enum.Enum):
    """X.509 key usages of a certificate made by the HSM; any str works too."""

    DIGITAL_SIGNATURE = "DIGITAL_SIGNATURE"
    CONTENT_COMMITMENT = "CONTENT_COMMITMENT"
    KEY_ENCIPHERMENT = "KEY_ENCIPHERMENT"
    DATA_ENCIPHERMENT = "DATA_ENCIPHERMENT"
    KEY_AGREEMENT = "KEY_AGREEMENT"
    KEY_CERT_SIGN = "KEY_CERT_SIGN"
    CRL_SIGN = "CRL_SIGN"
    ENCIPHER_ONLY = "ENCIPHER_ONLY"
    DECIPHER_ONLY = "DECIPHER_ONLY"

    def __new__(cls, value: object) -> KeyUsage: ...

class ExtendedKeyUsage(str, enum.Enum):
    """X.509 extended key usages of a certificate made by the HSM; any str works too."""

    ANY_EXTENDED_KEY_USAGE = "ANY_EXTENDED_KEY_USAGE"
    SERVER_AUTH = "SERVER_AUTH"
    CLIENT_AUTH = "CLIENT_AUTH"
    CODE_SIGNING = "CODE_SIGNING"
    EMAIL_PROTECTION = "EMAIL_PROTECTION"
    TIME_STAMPING = "TIME_STAMPING"
    OCSP_SIGNING = "OCSP_SIGNING"

    def __new__(cls, value: object) -> ExtendedKeyUsage: ...

_KeyUsages = Optional[Iterable[Union[KeyUsage, str]]]
_ExtendedKeyUsages = Optional[Iterable[Union[ExtendedKeyUsage, str]]]

# ---- the provider-neutral signing session ----

class Provider(str, enum.Enum):
    """A document-signing provider of Client.signing()."""

    ZIGNSEC = "zignsec"
    ONESPAN = "onespan"

    def __new__(cls, value: object) -> Provider: ...

@final
class SignatureField:
    """Where a signature goes, in points from the page's top-left corner; page from 1."""

    def __new__(
        cls,
        page: int,
        left: float,
        top: float,
        *,
        width: float = 200.0,
        height: float = 50.0,
        signer: Union[int, str, None] = None,
    ) -> SignatureField: ...
    @property
    def page(self) -> int: ...
    @property
    def left(self) -> float: ...
    @property
    def top(self) -> float: ...
    @property
    def width(self) -> float: ...
    @property
    def height(self) -> float: ...
    @property
    def signer(self) -> Union[int, str]: ...

@final
class SessionDocument:
    """One PDF of a session, from memory or from a file."""

    def __new__(
        cls, data: _Buffer, name: str, *, fields: Optional[Iterable[SignatureField]] = None
    ) -> SessionDocument: ...
    @staticmethod
    def from_path(
        path: _StrPath,
        *,
        name: Optional[str] = None,
        fields: Optional[Iterable[SignatureField]] = None,
    ) -> SessionDocument: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Optional[Path]: ...
    @property
    def data(self) -> Optional[bytes]: ...
    @property
    def fields(self) -> list[SignatureField]: ...

@final
class SessionSigner:
    """A signer of a session."""

    def __new__(
        cls,
        first_name: str,
        last_name: str,
        *,
        email: Optional[str] = None,
        id: Optional[str] = None,
    ) -> SessionSigner: ...
    @property
    def id(self) -> Optional[str]: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> Optional[str]: ...
    @property
    def full_name(self) -> str: ...

@final
class SignerLink:
    """Where one signer signs."""

    @property
    def signer_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...

@final
class StartedSigningSession:
    """The answer to Signing.start()."""

    @property
    def id(self) -> str: ...
    @property
    def provider(self) -> Provider: ...
    @property
    def provider_id(self) -> str: ...
    @property
    def signers(self) -> list[SignerLink]: ...

@final
class SignerState:
    """Whether one signer has signed."""

    @property
    def signer_id(self) -> str: ...
    @property
    def signed(self) -> bool: ...

@final
class SessionState:
    """The state of a signing session."""

    @property
    def id(self) -> str: ...
    @property
    def provider(self) -> Provider: ...
    @property
    def provider_id(self) -> str: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def status_text(self) -> str: ...
    @property
    def is_terminal(self) -> bool: ...
    @property
    def signers(self) -> list[SignerState]: ...

@final
class SignedFile:
    """One signed document of a CompletedSession."""

    @property
    def document_id(self) -> str: ...
    @property
    def name(self) -> str: ...

@final
class CompletedSession:
    """A finished session and its signed documents."""

    @property
    def id(self) -> str: ...
    @property
    def provider(self) -> Provider: ...
    @property
    def provider_id(self) -> str: ...
    @property
    def files(self) -> list[SignedFile]: ...

_SessionLike = Union[str, StartedSigningSession, SessionState, CompletedSession]

@disjoint_base
class Signing:
    """Document signing over the configured provider (ZignSec or OneSpan)."""

    @property
    def provider(self) -> Provider: ...
    def start(
        self,
        documents: Iterable[Union[SessionDocument, _StrPath]],
        signers: Iterable[SessionSigner],
        *,
        title: Optional[str] = None,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_cancel: Optional[str] = None,
        redirect_error: Optional[str] = None,
        zignsec: Optional[Mapping[str, Any]] = None,
        onespan: Optional[Mapping[str, Any]] = None,
    ) -> StartedSigningSession: ...
    def status(self, session: _SessionLike) -> SessionState: ...
    def wait(
        self,
        session: _SessionLike,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[SessionState], object]] = None,
    ) -> CompletedSession: ...
    def result(self, session: _SessionLike) -> CompletedSession: ...
    def download(self, session: _SessionLike, document: Union[str, SignedFile]) -> bytes: ...
    def save_all(self, done: CompletedSession, dir: _StrPath) -> list[Path]: ...
    def cancel(self, session: _SessionLike) -> None: ...

# ---- OneSpan Sign ----

class PackageStatus(str, enum.Enum):
    """The status of a OneSpan transaction (package)."""

    DRAFT = "DRAFT"
    SENT = "SENT"
    COMPLETED = "COMPLETED"
    ARCHIVED = "ARCHIVED"
    DECLINED = "DECLINED"
    OPTED_OUT = "OPTED_OUT"
    EXPIRED = "EXPIRED"
    OTHER = "OTHER"

    def __new__(cls, value: object) -> PackageStatus: ...

class PackageSigningStatus(str, enum.Enum):
    """OneSpan's signing status of a package, signer or document."""

    DRAFT = "DRAFT"
    COMPLETED = "COMPLETED"
    ARCHIVED = "ARCHIVED"
    DECLINED = "DECLINED"
    OPTED_OUT = "OPTED_OUT"
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"
    SIGNING_PENDING = "SIGNING_PENDING"
    SIGNING_COMPLETED = "SIGNING_COMPLETED"
    DELETED = "DELETED"
    OTHER = "OTHER"

    def __new__(cls, value: object) -> PackageSigningStatus: ...

class CallbackEventName(str, enum.Enum):
    """A OneSpan callback event."""

    PACKAGE_CREATE = "PACKAGE_CREATE"
    PACKAGE_ACTIVATE = "PACKAGE_ACTIVATE"
    PACKAGE_DEACTIVATE = "PACKAGE_DEACTIVATE"
    PACKAGE_READY_FOR_COMPLETE = "PACKAGE_READY_FOR_COMPLETE"
    PACKAGE_COMPLETE = "PACKAGE_COMPLETE"
    PACKAGE_EXPIRE = "PACKAGE_EXPIRE"
    PACKAGE_OPT_OUT = "PACKAGE_OPT_OUT"
    PACKAGE_DECLINE = "PACKAGE_DECLINE"
    PACKAGE_TRASH = "PACKAGE_TRASH"
    PACKAGE_RESTORE = "PACKAGE_RESTORE"
    PACKAGE_DELETE = "PACKAGE_DELETE"
    PACKAGE_ARCHIVE = "PACKAGE_ARCHIVE"
    PACKAGE_ATTACHMENT = "PACKAGE_ATTACHMENT"
    SIGNER_COMPLETE = "SIGNER_COMPLETE"
    SIGNER_LOCKED = "SIGNER_LOCKED"
    DOCUMENT_SIGNED = "DOCUMENT_SIGNED"
    DOCUMENT_VIEWED = "DOCUMENT_VIEWED"
    ROLE_REASSIGN = "ROLE_REASSIGN"
    KBA_FAILURE = "KBA_FAILURE"
    EMAIL_BOUNCE = "EMAIL_BOUNCE"
    TEMPLATE_CREATE = "TEMPLATE_CREATE"
    OTHER = "OTHER"

    def __new__(cls, value: object) -> CallbackEventName: ...

@final
class PackageSigner:
    """A signer of a role, as OneSpan returns it."""

    @property
    def id(self) -> Optional[str]: ...
    @property
    def email(self) -> str: ...
    @property
    def first_name(self) -> Optional[str]: ...
    @property
    def last_name(self) -> Optional[str]: ...
    @property
    def company(self) -> Optional[str]: ...
    @property
    def title(self) -> Optional[str]: ...

@final
class PackageRole:
    """A role of a package: a signing slot filled by one signer."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def index(self) -> Optional[int]: ...
    @property
    def kind(self) -> Optional[str]: ...
    @property
    def locked(self) -> Optional[bool]: ...
    @property
    def signers(self) -> list[PackageSigner]: ...

@final
class DocumentApproval:
    """One role's approval (signature) on a document."""

    @property
    def id(self) -> Optional[str]: ...
    @property
    def role(self) -> str: ...
    @property
    def signed(self) -> Optional[str]: ...
    @property
    def accepted(self) -> Optional[str]: ...
    @property
    def optional(self) -> Optional[bool]: ...

@final
class PackageDocument:
    """A document of a package."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def index(self) -> Optional[int]: ...
    @property
    def approvals(self) -> list[DocumentApproval]: ...

@final
class Package:
    """A OneSpan transaction ("package")."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def status(self) -> PackageStatus: ...
    @property
    def status_text(self) -> str: ...
    @property
    def session_status(self) -> SessionStatus: ...
    @property
    def is_terminal(self) -> bool: ...
    @property
    def trashed(self) -> bool: ...
    @property
    def due(self) -> Optional[str]: ...
    @property
    def created(self) -> Optional[str]: ...
    @property
    def updated(self) -> Optional[str]: ...
    @property
    def language(self) -> Optional[str]: ...
    @property
    def email_message(self) -> Optional[str]: ...
    @property
    def autocomplete(self) -> Optional[bool]: ...
    @property
    def roles(self) -> list[PackageRole]: ...
    @property
    def documents(self) -> list[PackageDocument]: ...
    @property
    def last_message(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class AuditEvent:
    """One event of a package's audit trail."""

    @property
    def kind(self) -> str: ...
    @property
    def date_time(self) -> Optional[str]: ...
    @property
    def target(self) -> Optional[str]: ...
    @property
    def target_type(self) -> Optional[str]: ...
    @property
    def user(self) -> Optional[str]: ...
    @property
    def user_email(self) -> Optional[str]: ...
    @property
    def user_ip(self) -> Optional[str]: ...
    @property
    def data(self) -> Optional[str]: ...

@final
class DownloadKind:
    """What to download from a package."""

    @staticmethod
    def document(document_id: str) -> DownloadKind: ...
    @staticmethod
    def original(document_id: str) -> DownloadKind: ...
    @staticmethod
    def zip() -> DownloadKind: ...
    @staticmethod
    def evidence_summary() -> DownloadKind: ...

@final
class Download:
    """A downloaded file."""

    @property
    def file_name(self) -> Optional[str]: ...
    @property
    def data(self) -> bytes: ...
    def __len__(self) -> int: ...

@final
class CallbackRegistration:
    """The account's registered callback; the key is never shown."""

    @property
    def url(self) -> Optional[str]: ...
    @property
    def events(self) -> list[Union[CallbackEventName, str]]: ...
    @property
    def has_key(self) -> bool: ...

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

@final
class PackageIterator:
    """The packages of a listing; pages are fetched lazily."""

    def __iter__(self) -> PackageIterator: ...
    def __next__(self) -> Package: ...
    def __aiter__(self) -> PackageIterator: ...
    async def __anext__(self) -> Package: ...
    @property
    def total(self) -> Optional[int]: ...

@disjoint_base
class Onespan:
    """OneSpan Sign specifics."""

    def create_package(self, package: OnespanPackageSpec, *, in_steps: bool = False) -> str: ...
    def add_document(self, package_id: str, document: OnespanDocumentSpec) -> PackageDocument: ...
    def update_package(self, package_id: str, update: OnespanPackageUpdate) -> None: ...
    def get_package(self, package_id: str) -> Package: ...
    def status(self, package_id: str) -> PackageStatus: ...
    def signing_status(
        self, package_id: str, *, signer: Optional[str] = None, document: Optional[str] = None
    ) -> PackageSigningStatus: ...
    def signing_url(self, package_id: str, role_id: str) -> str: ...
    def audit(self, package_id: str) -> list[AuditEvent]: ...
    def wait(
        self,
        package_id: str,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[Package], object]] = None,
    ) -> Package: ...
    def send(self, package_id: str) -> None: ...
    def trash(self, package_id: str) -> None: ...
    def restore(self, package_id: str) -> None: ...
    def archive(self, package_id: str) -> None: ...
    def delete(self, package_id: str) -> None: ...
    def download(self, package_id: str, kind: DownloadKind) -> Download: ...
    def download_to(self, package_id: str, kind: DownloadKind, path: _StrPath) -> int: ...
    def download_into(self, package_id: str, kind: DownloadKind, dir: _StrPath) -> Path: ...
    def list(
        self,
        *,
        status: Union[PackageStatus, str, None] = None,
        search: Optional[str] = None,
        page_size: int = 50,
        sort: Optional[str] = None,
        descending: bool = False,
    ) -> PackageIterator: ...
    def register_callback(
        self, url: str, key: str, events: Iterable[Union[CallbackEventName, str]]
    ) -> None: ...
    def get_callback(self) -> CallbackRegistration: ...

# ---- generated by bindings-python/stubgen_async.py: asyncio twins of the classes above ----

@final
class AsyncClient:
    """The asyncio twin of Client: each call to the service is a coroutine."""

    def __new__(
        cls, config: Union[Mapping[str, Any], str, None] = None, /, **kwargs: Any
    ) -> AsyncClient: ...
    @staticmethod
    def from_env() -> AsyncClient: ...
    def zignsec_signing(self) -> AsyncZignsecSigning: ...
    def zignsec_eid(self) -> AsyncZignsecEid: ...
    def securosys(self) -> _securosys.AsyncSecurosys: ...
    def signing(self, provider: Union[Provider, str, None] = None) -> AsyncSigning: ...
    def onespan(self) -> AsyncOnespan: ...
    # Run an operation of the core's table by name with a dict request (see
    # signbridge.call_types for each operation's request and result).
    # ---- generated: call overloads (core/tests/python_call_types.rs); do not edit ----
    @overload
    async def call(self, operation: Literal["securosys.version_info"], request: _ct.SecurosysVersionInfoRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysVersionInfoResult: ...
    @overload
    async def call(self, operation: Literal["securosys.license_info"], request: _ct.SecurosysLicenseInfoRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysLicenseInfoResult: ...
    @overload
    async def call(self, operation: Literal["securosys.create_key"], request: _ct.SecurosysCreateKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.get_key"], request: _ct.SecurosysGetKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysGetKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.public_key"], request: _ct.SecurosysPublicKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysPublicKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.list_keys"], request: _ct.SecurosysListKeysRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysListKeysResult: ...
    @overload
    async def call(self, operation: Literal["securosys.delete_key"], request: _ct.SecurosysDeleteKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeleteKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_sign"], request: _ct.SecurosysSynchronousSignRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousSignResult: ...
    @overload
    async def call(self, operation: Literal["securosys.verify"], request: _ct.SecurosysVerifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysVerifyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.sign"], request: _ct.SecurosysSignRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSignResult: ...
    @overload
    async def call(self, operation: Literal["securosys.request_status"], request: _ct.SecurosysRequestStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRequestStatusResult: ...
    @overload
    async def call(self, operation: Literal["securosys.cancel_request"], request: _ct.SecurosysCancelRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCancelRequestResult: ...
    @overload
    async def call(self, operation: Literal["securosys.wait_request"], request: _ct.SecurosysWaitRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitRequestResult: ...
    @overload
    async def call(self, operation: Literal["securosys.list_approval_tasks"], request: _ct.SecurosysListApprovalTasksRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysListApprovalTasksResult: ...
    @overload
    async def call(self, operation: Literal["securosys.approve"], request: _ct.SecurosysApproveRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApproveResult: ...
    @overload
    async def call(self, operation: Literal["securosys.reject"], request: _ct.SecurosysRejectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRejectResult: ...
    @overload
    async def call(self, operation: Literal["securosys.self_signed_certificate"], request: _ct.SecurosysSelfSignedCertificateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSelfSignedCertificateResult: ...
    @overload
    async def call(self, operation: Literal["securosys.certificate_signing_request"], request: _ct.SecurosysCertificateSigningRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCertificateSigningRequestResult: ...
    @overload
    async def call(self, operation: Literal["securosys.request_self_signed_certificate"], request: _ct.SecurosysRequestSelfSignedCertificateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRequestSelfSignedCertificateResult: ...
    @overload
    async def call(self, operation: Literal["securosys.request_certificate_signing_request"], request: _ct.SecurosysRequestCertificateSigningRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRequestCertificateSigningRequestResult: ...
    @overload
    async def call(self, operation: Literal["securosys.wait_certificate"], request: _ct.SecurosysWaitCertificateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitCertificateResult: ...
    @overload
    async def call(self, operation: Literal["securosys.wait_certificate_signing_request"], request: _ct.SecurosysWaitCertificateSigningRequestRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitCertificateSigningRequestResult: ...
    @overload
    async def call(self, operation: Literal["securosys.key_spec"], request: _ct.SecurosysKeySpecRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysKeySpecResult: ...
    @overload
    async def call(self, operation: Literal["securosys.quorum_policy"], request: _ct.SecurosysQuorumPolicyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysQuorumPolicyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.approver_key"], request: _ct.SecurosysApproverKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApproverKeyResult: ...
    @overload
    async def call(self, operation: Literal["signing.start"], request: _ct.SigningStartRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningStartResult: ...
    @overload
    async def call(self, operation: Literal["signing.status"], request: _ct.SigningStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningStatusResult: ...
    @overload
    async def call(self, operation: Literal["signing.wait"], request: _ct.SigningWaitRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningWaitResult: ...
    @overload
    async def call(self, operation: Literal["signing.result"], request: _ct.SigningResultRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningResultResult: ...
    @overload
    async def call(self, operation: Literal["signing.download"], request: _ct.SigningDownloadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningDownloadResult: ...
    @overload
    async def call(self, operation: Literal["signing.save_all"], request: _ct.SigningSaveAllRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningSaveAllResult: ...
    @overload
    async def call(self, operation: Literal["signing.cancel"], request: _ct.SigningCancelRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SigningCancelResult: ...
    @overload
    async def call(self, operation: Literal["pdf.verify"], request: _ct.PdfVerifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.PdfVerifyResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.create_signing"], request: _ct.ZignsecCreateSigningRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecCreateSigningResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.upload"], request: _ct.ZignsecUploadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecUploadResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.start_signing"], request: _ct.ZignsecStartSigningRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecStartSigningResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.sign_documents"], request: _ct.ZignsecSignDocumentsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSignDocumentsResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.download"], request: _ct.ZignsecDownloadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecDownloadResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.download_to"], request: _ct.ZignsecDownloadToRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecDownloadToResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.download_file"], request: _ct.ZignsecDownloadFileRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecDownloadFileResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.signing_status"], request: _ct.ZignsecSigningStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSigningStatusResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.wait_signing"], request: _ct.ZignsecWaitSigningRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecWaitSigningResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.save_signed_files"], request: _ct.ZignsecSaveSignedFilesRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSaveSignedFilesResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.complete_signing_redirect"], request: _ct.ZignsecCompleteSigningRedirectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecCompleteSigningRedirectResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.session_call"], request: _ct.ZignsecSessionCallRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecSessionCallResult: ...
    @overload
    async def call(self, operation: Literal["onespan.create_package"], request: _ct.OnespanCreatePackageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanCreatePackageResult: ...
    @overload
    async def call(self, operation: Literal["onespan.get_package"], request: _ct.OnespanGetPackageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanGetPackageResult: ...
    @overload
    async def call(self, operation: Literal["onespan.status"], request: _ct.OnespanStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanStatusResult: ...
    @overload
    async def call(self, operation: Literal["onespan.signing_url"], request: _ct.OnespanSigningUrlRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanSigningUrlResult: ...
    @overload
    async def call(self, operation: Literal["onespan.send"], request: _ct.OnespanSendRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanSendResult: ...
    @overload
    async def call(self, operation: Literal["onespan.trash"], request: _ct.OnespanTrashRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanTrashResult: ...
    @overload
    async def call(self, operation: Literal["onespan.restore"], request: _ct.OnespanRestoreRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanRestoreResult: ...
    @overload
    async def call(self, operation: Literal["onespan.archive"], request: _ct.OnespanArchiveRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanArchiveResult: ...
    @overload
    async def call(self, operation: Literal["onespan.delete"], request: _ct.OnespanDeleteRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanDeleteResult: ...
    @overload
    async def call(self, operation: Literal["onespan.wait"], request: _ct.OnespanWaitRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanWaitResult: ...
    @overload
    async def call(self, operation: Literal["securosys.encrypt"], request: _ct.SecurosysEncryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysEncryptResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_decrypt"], request: _ct.SecurosysSynchronousDecryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousDecryptResult: ...
    @overload
    async def call(self, operation: Literal["securosys.decrypt"], request: _ct.SecurosysDecryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDecryptResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_hmac"], request: _ct.SecurosysSynchronousHmacRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousHmacResult: ...
    @overload
    async def call(self, operation: Literal["securosys.verify_hmac"], request: _ct.SecurosysVerifyHmacRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysVerifyHmacResult: ...
    @overload
    async def call(self, operation: Literal["securosys.generate_random"], request: _ct.SecurosysGenerateRandomRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysGenerateRandomResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_block"], request: _ct.SecurosysSynchronousBlockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousBlockResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_unblock"], request: _ct.SecurosysSynchronousUnblockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousUnblockResult: ...
    @overload
    async def call(self, operation: Literal["securosys.block"], request: _ct.SecurosysBlockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysBlockResult: ...
    @overload
    async def call(self, operation: Literal["securosys.unblock"], request: _ct.SecurosysUnblockRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysUnblockResult: ...
    @overload
    async def call(self, operation: Literal["securosys.wait_request_done"], request: _ct.SecurosysWaitRequestDoneRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWaitRequestDoneResult: ...
    @overload
    async def call(self, operation: Literal["securosys.wrap_key"], request: _ct.SecurosysWrapKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysWrapKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_unwrap_key"], request: _ct.SecurosysSynchronousUnwrapKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousUnwrapKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.unwrap_key"], request: _ct.SecurosysUnwrapKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysUnwrapKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.approval_tasks_page"], request: _ct.SecurosysApprovalTasksPageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApprovalTasksPageResult: ...
    @overload
    async def call(self, operation: Literal["securosys.all_approval_tasks"], request: _ct.SecurosysAllApprovalTasksRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysAllApprovalTasksResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_modify"], request: _ct.SecurosysSynchronousModifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousModifyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.modify"], request: _ct.SecurosysModifyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysModifyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.create_data_object"], request: _ct.SecurosysCreateDataObjectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateDataObjectResult: ...
    @overload
    async def call(self, operation: Literal["securosys.read_data_object"], request: _ct.SecurosysReadDataObjectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysReadDataObjectResult: ...
    @overload
    async def call(self, operation: Literal["securosys.delete_data_object"], request: _ct.SecurosysDeleteDataObjectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeleteDataObjectResult: ...
    @overload
    async def call(self, operation: Literal["securosys.filtered_requests"], request: _ct.SecurosysFilteredRequestsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysFilteredRequestsResult: ...
    @overload
    async def call(self, operation: Literal["securosys.create_rfc_timestamp"], request: _ct.SecurosysCreateRfcTimestampRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateRfcTimestampResult: ...
    @overload
    async def call(self, operation: Literal["securosys.key_attestation"], request: _ct.SecurosysKeyAttestationRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysKeyAttestationResult: ...
    @overload
    async def call(self, operation: Literal["securosys.keystore_statistics"], request: _ct.SecurosysKeystoreStatisticsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysKeystoreStatisticsResult: ...
    @overload
    async def call(self, operation: Literal["securosys.hsm_log"], request: _ct.SecurosysHsmLogRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysHsmLogResult: ...
    @overload
    async def call(self, operation: Literal["securosys.import_seed_key"], request: _ct.SecurosysImportSeedKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysImportSeedKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.derive_key"], request: _ct.SecurosysDeriveKeyRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeriveKeyResult: ...
    @overload
    async def call(self, operation: Literal["securosys.file_encrypt"], request: _ct.SecurosysFileEncryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysFileEncryptResult: ...
    @overload
    async def call(self, operation: Literal["securosys.synchronous_file_decrypt"], request: _ct.SecurosysSynchronousFileDecryptRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysSynchronousFileDecryptResult: ...
    @overload
    async def call(self, operation: Literal["securosys.create_approver"], request: _ct.SecurosysCreateApproverRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysCreateApproverResult: ...
    @overload
    async def call(self, operation: Literal["securosys.renew_approver_one_time_code"], request: _ct.SecurosysRenewApproverOneTimeCodeRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysRenewApproverOneTimeCodeResult: ...
    @overload
    async def call(self, operation: Literal["securosys.approver_status"], request: _ct.SecurosysApproverStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysApproverStatusResult: ...
    @overload
    async def call(self, operation: Literal["securosys.delete_approver"], request: _ct.SecurosysDeleteApproverRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysDeleteApproverResult: ...
    @overload
    async def call(self, operation: Literal["securosys.onboard_approver"], request: _ct.SecurosysOnboardApproverRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.SecurosysOnboardApproverResult: ...
    @overload
    async def call(self, operation: Literal["onespan.create_package_in_steps"], request: _ct.OnespanCreatePackageInStepsRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanCreatePackageInStepsResult: ...
    @overload
    async def call(self, operation: Literal["onespan.add_document"], request: _ct.OnespanAddDocumentRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanAddDocumentResult: ...
    @overload
    async def call(self, operation: Literal["onespan.update_package"], request: _ct.OnespanUpdatePackageRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanUpdatePackageResult: ...
    @overload
    async def call(self, operation: Literal["onespan.signing_status"], request: _ct.OnespanSigningStatusRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanSigningStatusResult: ...
    @overload
    async def call(self, operation: Literal["onespan.audit"], request: _ct.OnespanAuditRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanAuditResult: ...
    @overload
    async def call(self, operation: Literal["onespan.download"], request: _ct.OnespanDownloadRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanDownloadResult: ...
    @overload
    async def call(self, operation: Literal["onespan.list"], request: _ct.OnespanListRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanListResult: ...
    @overload
    async def call(self, operation: Literal["onespan.list_all"], request: _ct.OnespanListAllRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanListAllResult: ...
    @overload
    async def call(self, operation: Literal["onespan.register_callback"], request: _ct.OnespanRegisterCallbackRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanRegisterCallbackResult: ...
    @overload
    async def call(self, operation: Literal["onespan.get_callback"], request: _ct.OnespanGetCallbackRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.OnespanGetCallbackResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.eid_create"], request: _ct.ZignsecEidCreateRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidCreateResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.eid_result"], request: _ct.ZignsecEidResultRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidResultResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.eid_wait"], request: _ct.ZignsecEidWaitRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidWaitResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.eid_complete_redirect"], request: _ct.ZignsecEidCompleteRedirectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecEidCompleteRedirectResult: ...
    @overload
    async def call(self, operation: Literal["zignsec.parse_redirect"], request: _ct.ZignsecParseRedirectRequest, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> _ct.ZignsecParseRedirectResult: ...
    @overload
    async def call(self, operation: str, request: Optional[Mapping[str, Any]] = None, *, on_progress: Optional[Callable[[dict[str, Any]], object]] = None) -> Any: ...
    # ---- end of generated call overloads ----
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> AsyncClient: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
        /,
    ) -> bool: ...
    async def aclose(self) -> None:
        """Close the client (as ``close()``)."""
    async def __aenter__(self) -> AsyncClient: ...
    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
        /,
    ) -> None: ...

@final
class AsyncZignsecSigning:
    """The asyncio twin of ZignsecSigning: each call to the service is a coroutine."""

    async def create(
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
    async def upload_bytes(self, session_id: str, name: str, data: _Buffer) -> UploadedFile: ...
    async def upload_path(self, session_id: str, path: _StrPath) -> UploadedFile: ...
    async def start(
        self,
        session_id: str,
        files: Iterable[Union[str, UploadedFile, FileToSign]],
        *,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
    ) -> StartedSigning: ...
    async def sign_documents(
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
    async def status(self, session_id: str) -> SigningStatus: ...
    async def wait(
        self,
        session_id: str,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[SigningStatus], object]] = None,
    ) -> SigningStatus: ...
    async def complete_redirect(
        self,
        session_id: str,
        returned_url: str,
        expected_relay_state: Optional[str] = None,
    ) -> SigningStatus: ...
    async def download(self, file: FileRef) -> bytes: ...
    async def download_file(self, session_id: str, file_id: str) -> bytes: ...
    async def download_to(self, file: FileRef, path: _StrPath) -> int: ...
    async def save_signed_files(self, state: SigningStatus, dir: _StrPath) -> list[Path]: ...

@final
class AsyncZignsecEid:
    """The asyncio twin of ZignsecEid: each call to the service is a coroutine."""

    async def create(
        self,
        product: EidProduct,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> EidSession: ...
    async def bankid_se(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        personal_number: Optional[str] = None,
    ) -> EidSession: ...
    async def mitid(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        action: Optional[str] = None,
        level: Optional[str] = None,
        language: Optional[str] = None,
        requested_attributes: Optional[Iterable[str]] = None,
        cpr_number: Optional[str] = None,
    ) -> EidSession: ...
    async def freja(
        self,
        *,
        country: str,
        ssn: str,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        attributes_to_return: Optional[Iterable[str]] = None,
        min_registration_level: Optional[str] = None,
    ) -> EidSession: ...
    async def bankid_no(
        self,
        *,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_failure: Optional[str] = None,
        relay_state: Optional[str] = None,
        gdpr_user_id: Optional[str] = None,
        webhook: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> EidSession: ...
    async def result(self, product: EidProduct, session_id: str) -> EidResult: ...
    async def wait(
        self,
        product: EidProduct,
        session_id: str,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[EidResult], object]] = None,
    ) -> EidResult: ...
    async def complete_redirect(
        self,
        product: EidProduct,
        session_id: str,
        returned_url: str,
        expected_relay_state: Optional[str] = None,
    ) -> EidResult: ...

@final
class AsyncSigning:
    """The asyncio twin of Signing: each call to the service is a coroutine."""

    @property
    def provider(self) -> Provider: ...
    async def start(
        self,
        documents: Iterable[Union[SessionDocument, _StrPath]],
        signers: Iterable[SessionSigner],
        *,
        title: Optional[str] = None,
        locale: Optional[str] = None,
        redirect_success: Optional[str] = None,
        redirect_cancel: Optional[str] = None,
        redirect_error: Optional[str] = None,
        zignsec: Optional[Mapping[str, Any]] = None,
        onespan: Optional[Mapping[str, Any]] = None,
    ) -> StartedSigningSession: ...
    async def status(self, session: _SessionLike) -> SessionState: ...
    async def wait(
        self,
        session: _SessionLike,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[SessionState], object]] = None,
    ) -> CompletedSession: ...
    async def result(self, session: _SessionLike) -> CompletedSession: ...
    async def download(self, session: _SessionLike, document: Union[str, SignedFile]) -> bytes: ...
    async def save_all(self, done: CompletedSession, dir: _StrPath) -> list[Path]: ...
    async def cancel(self, session: _SessionLike) -> None: ...

@final
class AsyncOnespan:
    """The asyncio twin of Onespan: each call to the service is a coroutine."""

    async def create_package(self, package: OnespanPackageSpec, *, in_steps: bool = False) -> str: ...
    async def add_document(self, package_id: str, document: OnespanDocumentSpec) -> PackageDocument: ...
    async def update_package(self, package_id: str, update: OnespanPackageUpdate) -> None: ...
    async def get_package(self, package_id: str) -> Package: ...
    async def status(self, package_id: str) -> PackageStatus: ...
    async def signing_status(
        self, package_id: str, *, signer: Optional[str] = None, document: Optional[str] = None
    ) -> PackageSigningStatus: ...
    async def signing_url(self, package_id: str, role_id: str) -> str: ...
    async def audit(self, package_id: str) -> list[AuditEvent]: ...
    async def wait(
        self,
        package_id: str,
        *,
        interval: float = 2.0,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[Package], object]] = None,
    ) -> Package: ...
    async def send(self, package_id: str) -> None: ...
    async def trash(self, package_id: str) -> None: ...
    async def restore(self, package_id: str) -> None: ...
    async def archive(self, package_id: str) -> None: ...
    async def delete(self, package_id: str) -> None: ...
    async def download(self, package_id: str, kind: DownloadKind) -> Download: ...
    async def download_to(self, package_id: str, kind: DownloadKind, path: _StrPath) -> int: ...
    async def download_into(self, package_id: str, kind: DownloadKind, dir: _StrPath) -> Path: ...
    def list(
        self,
        *,
        status: Union[PackageStatus, str, None] = None,
        search: Optional[str] = None,
        page_size: int = 50,
        sort: Optional[str] = None,
        descending: bool = False,
    ) -> PackageIterator: ...
    async def register_callback(
        self, url: str, key: str, events: Iterable[Union[CallbackEventName, str]]
    ) -> None: ...
    async def get_callback(self) -> CallbackRegistration: ...
# ---- end of the generated asyncio twins ----
