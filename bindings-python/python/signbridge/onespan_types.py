"""The dicts ``Onespan.create_package()``, ``add_document()`` and ``update_package()`` take, as
``TypedDict`` types (for type checkers; at run time they are plain dicts)::

    package: signbridge.OnespanPackageSpec = {
        "name": "Boat sale",
        "signers": [
            {"role_id": "buyer", "email": "kari@example.com", "first_name": "Kari",
             "last_name": "Nordmann"},
            {"role_id": "seller", "email": "ola@example.com", "first_name": "Ola",
             "last_name": "Hansen"},
        ],
        "documents": [{"path": "contract.pdf", "fields": [
            {"role_id": "buyer", "page": 0, "top": 650, "left": 60},
            {"role_id": "seller", "page": 0, "top": 650, "left": 320},
        ]}],
        "send": True,
    }

The keys are those of the core's JSON form (``signbridge::providers::onespan::request``), plus
``content`` (bytes) for a document's PDF, which is passed to the core as ``content_base64``.
Unknown keys raise ``InvalidInput`` naming them.
"""

import os
from typing import TypedDict, Union

__all__ = [
    "OnespanDocumentSpec",
    "OnespanFieldSpec",
    "OnespanPackageSpec",
    "OnespanPackageUpdate",
    "OnespanSignerSpec",
]


class _FieldRequired(TypedDict):
    role_id: str
    page: int
    top: float
    left: float


class OnespanFieldSpec(_FieldRequired, total=False):
    """A signature field: where the signer of ``role_id`` signs, on ``page`` (**0-based**), in
    PDF points from the top left corner; ``width`` (default 200), ``height`` (default 50),
    ``kind``: ``"FULLNAME"`` (default), ``"INITIALS"``, ``"CAPTURE"`` or ``"MOBILE_CAPTURE"``."""

    width: float
    height: float
    kind: str


class OnespanDocumentSpec(TypedDict, total=False):
    """A PDF: exactly one of ``path`` (a file; ``name`` defaults to its name without ``.pdf``),
    ``content`` (bytes; ``name`` required) or ``content_base64``; ``id`` your document id."""

    name: str
    id: str
    path: Union[str, "os.PathLike[str]"]
    content: Union[bytes, bytearray, memoryview]
    content_base64: str
    fields: list[OnespanFieldSpec]


class _SignerRequired(TypedDict):
    role_id: str
    email: str
    first_name: str
    last_name: str


class OnespanSignerSpec(_SignerRequired, total=False):
    """A signer filling the role ``role_id``; ``order`` is the signing order (1 = first; default:
    the order of the list)."""

    company: str
    title: str
    order: int


class _PackageRequired(TypedDict):
    name: str
    signers: list[OnespanSignerSpec]


class OnespanPackageSpec(_PackageRequired, total=False):
    """A new transaction. ``send`` (default False) sends it at once; ``due`` is UTC
    ``"yyyy-MM-ddTHH:mm:ss"``; ``hand_over_url`` is where a signer who is done goes."""

    documents: list[OnespanDocumentSpec]
    description: str
    email_message: str
    autocomplete: bool
    due: str
    language: str
    send: bool
    hand_over_url: str


class OnespanPackageUpdate(TypedDict, total=False):
    """A change of a draft: only the keys given change (at least one)."""

    name: str
    description: str
    email_message: str
    due: str
    autocomplete: bool
