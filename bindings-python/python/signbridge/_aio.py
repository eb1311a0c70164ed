"""asyncio glue of ``AsyncClient``: progress callbacks run on the caller's event loop."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable

# Tasks of coroutine callbacks still running (the event loop keeps only weak references).
_running: set[asyncio.Future[Any]] = set()


def dispatch_progress(
    callback: Callable[[Any], object],
    state: Any,
    on_error: Callable[[BaseException], None],
) -> None:
    """Call ``callback(state)`` on the event loop; schedule it when it returns an awaitable.

    An exception it raises (or its awaitable raises) is handed to ``on_error``, which ends the
    call that reported the state.
    """
    try:
        result = callback(state)
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            _running.add(task)

            def done(t: asyncio.Future[Any]) -> None:
                _running.discard(t)
                if not t.cancelled() and t.exception() is not None:
                    exc = t.exception()
                    assert exc is not None
                    on_error(exc)

            task.add_done_callback(done)
    except Exception as e:  # noqa: BLE001 - the callback's error ends the call that called it
        on_error(e)
