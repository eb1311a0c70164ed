"""``quorum_policy``: the usual Smart Key Attributes policy, built by the core's
``securosys.quorum_policy`` operation from approvers given the Python way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Union

from ._native import ApproverKey, call
from .call_types import PolicyOut

__all__ = ["quorum_policy"]

_Approver = Union[ApproverKey, str]


def quorum_policy(
    quorum: int,
    approvers: Union[Mapping[str, _Approver], Iterable[tuple[str, _Approver]]],
    timeout: int = 0,
) -> PolicyOut:
    """An approval policy needing ``quorum`` approvals among ``approvers``: a dict ``{name:
    approver}`` or ``(name, approver)`` pairs, an approver being an ``ApproverKey`` or its
    base64 public key. ``timeout`` (seconds, a multiple of 60; 0 = none) bounds how long a
    request waits for its approvals. Give the result as ``create_key(..., policy=...)``; it is
    the TSB's JSON shape, as ``get_key()`` reports a key's policy.

    Raises ``TypeError`` when ``approvers`` is neither, ``InvalidInput`` for bad numbers or
    keys (checked by the core, as in every language).
    """
    if isinstance(approvers, (str, bytes, bytearray)):
        raise TypeError(
            "approvers must be a dict {name: ApproverKey or public key} or (name, approver) pairs"
        )
    pairs = approvers.items() if isinstance(approvers, Mapping) else approvers
    listed: list[dict[str, Any]] = []
    for item in pairs:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f"approvers items must be (name, approver) pairs, not {item!r}")
        name, key = item
        public = key.public_key_b64 if isinstance(key, ApproverKey) else key
        listed.append({"name": name, "public_key_base64": public})
    request = {"quorum": quorum, "approvers": listed, "timeout_s": timeout}
    policy: PolicyOut = call("securosys.quorum_policy", request)["policy"]
    return policy
