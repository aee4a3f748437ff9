"""Reading the Protime API's answers: errors, list pages and listed clockings."""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from ..errors import (
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from ..http import AMBIGUOUS_STATUSES, Response, first_text
from .kinds import same_kind
from .person import ProtimePerson

MINUTES_PER_DAY: Final = 1440
LIST_KEYS: Final = ("value", "items", "data", "results")
NEXT_LINK_KEYS: Final = ("nextLink", "@odata.nextLink")
DETAIL_KEYS: Final = (
    "reasons",
    "validationErrors",
    "errors",
    "message",
    "detail",
    "title",
)


def raise_for_status(resp: Response, *, ambiguous: bool) -> None:
    """Raise the error an API answer stands for; ``ambiguous`` for writes."""
    status = resp.status
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise TimeClockAuthenticationError(
            f"Protime refused the request ({status}: token or scope)"
        )
    if status == 429:
        raise TimeClockRateLimitedError(
            "Protime rate limit reached", retry_after=resp.retry_after()
        )
    if status == 404:
        raise TimeClockRejectedError(
            "Protime does not know this person", code="UNKNOWN_PERSON"
        )
    if status < 400 or status == 408 or status >= 500:
        raise TimeClockConnectionError(
            f"Protime answered {status}",
            ambiguous=ambiguous and status in AMBIGUOUS_STATUSES,
        )
    code, detail = _problem(resp)
    raise TimeClockRejectedError(f"Protime refused the clocking: {detail}", code=code)


def _problem(resp: Response) -> tuple[str, str]:
    """Return the code and a short detail of a Protime error body."""
    fallback = f"HTTP_{resp.status}"
    body = resp.json()
    if not isinstance(body, dict):
        return fallback, fallback
    if isinstance(error := body.get("error"), dict):
        return first_text(error.get("code")) or fallback, _detail(error)
    if body.get("validationErrors") or body.get("errors"):
        return "VALIDATION", _detail(body)
    return first_text(body, "code", "title") or fallback, _detail(body)


def _detail(error: Mapping[str, Any]) -> str:
    """Return the first reason of an error object, shortened."""
    for key in DETAIL_KEYS:
        if text := first_text(error.get(key)):
            return text[:200]
    return "no detail"


def page(resp: Response) -> tuple[list[Any], str | None]:
    """Return the items and the next link of a list answer."""
    body = resp.json()
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict):
        for key in LIST_KEYS:
            if isinstance(items := body.get(key), list):
                return items, first_text(body, *NEXT_LINK_KEYS)
    raise TimeClockConnectionError(
        "Protime answered a list request with an unexpected body", ambiguous=True
    )


def is_clocking_at(
    item: Any, person: ProtimePerson, target: int, fields: Mapping[str, Any]
) -> bool:
    """Return whether a listed clocking is this person's clocking at ``target``.

    ``fields`` are the kind and kind fields sent (see :func:`.kinds.same_kind`).
    """
    if not isinstance(item, Mapping) or item.get("status") == "Deleted":
        return False
    if not same_kind(item, fields) or not person.is_in(item.get("person")):
        return False
    try:
        day = date.fromisoformat(str(item.get("date"))[:10])
    except ValueError:
        return False
    minutes = (
        item.get(key) for key in ("timeOfDayInMinutes", "originalTimeOfDayInMinutes")
    )
    return any(isinstance(m, int) and instant(day, m) == target for m in minutes)


def instant(day: date, minutes: int) -> int:
    """Return a date and minute of day as minutes since the start of the calendar."""
    return day.toordinal() * MINUTES_PER_DAY + minutes


def has_id(body: Any) -> bool:
    """Return whether a body is an object carrying an ``id``."""
    return isinstance(body, dict) and body.get("id") is not None
