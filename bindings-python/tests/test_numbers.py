"""Every numeric input gets NaN, +-inf, 1e300, -1 and 2**53+1 and raises
SB_ERR_INVALID_ARGUMENT (InvalidInput), never a panic. The range check lives in the core
(signbridge::numbers), shared with C and Node."""

from __future__ import annotations

import math
from typing import Any, cast

import pytest

import signbridge
from signbridge import ErrorCode

HOSTILE = [math.nan, math.inf, -math.inf, 1e300, -1, 2**53 + 1]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_numbers_are_invalid_arguments(
    value: float, signing: signbridge.ZignsecSigning, eid: signbridge.ZignsecEid
) -> None:
    session = signing.create()["id"]
    # The generated facades take milliseconds, as the operation table does.
    ms = value * 1000 if isinstance(value, float) else value
    calls = [
        ("signing.wait interval", lambda: signing.wait(session, interval_ms=ms)),  # type: ignore[arg-type]
        ("signing.wait timeout", lambda: signing.wait(session, timeout_ms=ms)),  # type: ignore[arg-type]
        (
            "eid.wait interval",
            lambda: eid.wait(session, product="bankid_se", interval_ms=cast(Any, value)),
        ),
        (
            "eid.wait timeout",
            lambda: eid.wait(session, product="bankid_se", timeout_ms=cast(Any, value)),
        ),
        ("WebhookVerifier tolerance", lambda: signbridge.WebhookVerifier(["s"], tolerance=value)),
    ]
    for what, call in calls:
        with pytest.raises(signbridge.SignbridgeError) as info:
            call()
        assert info.value.code is ErrorCode.SB_ERR_INVALID_ARGUMENT, what
        assert isinstance(info.value, signbridge.InvalidInput), what
