"""What ``client.onespan()`` returns: the OneSpan facade generated from the operation table
(``signbridge._onespan``), plus ``packages()``: every transaction of a listing, ``list`` called
page after page as the iteration goes (nothing is fetched before the first item is asked for, nor
after the loop is left)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Optional, Union

from . import _native, _onespan
from .call_types import Package, SortOrder

__all__ = ["AsyncOnespan", "Onespan"]

_Status = Optional[Union[str, _native.PackageStatus]]


class Onespan(_onespan.Onespan):
    __doc__ = _onespan.Onespan.__doc__
    __slots__ = ()

    def packages(
        self,
        *,
        page_size: Optional[int] = None,
        search: Optional[str] = None,
        sort: Optional[str] = None,
        sort_order: Optional[SortOrder] = None,
        status: _Status = None,
    ) -> Iterator[Package]:
        """Every transaction ``list`` finds with these arguments, page after page."""
        start: Optional[int] = 1
        while start is not None:
            page = self.list(from_=start, page_size=page_size, search=search, sort=sort,
                             sort_order=sort_order, status=status)
            yield from page["packages"]
            start = page["next_from"]


class AsyncOnespan(_onespan.AsyncOnespan):
    __doc__ = _onespan.AsyncOnespan.__doc__
    __slots__ = ()

    async def packages(
        self,
        *,
        page_size: Optional[int] = None,
        search: Optional[str] = None,
        sort: Optional[str] = None,
        sort_order: Optional[SortOrder] = None,
        status: _Status = None,
    ) -> AsyncIterator[Package]:
        """Every transaction ``list`` finds with these arguments, page after page (``async for``)."""
        start: Optional[int] = 1
        while start is not None:
            page = await self.list(from_=start, page_size=page_size, search=search, sort=sort,
                                   sort_order=sort_order, status=status)
            for package in page["packages"]:
                yield package
            start = page["next_from"]
