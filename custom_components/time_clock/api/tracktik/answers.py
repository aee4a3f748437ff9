"""Reading the TrackTik REST API's answers: references, objects, lists and errors.

The seed shows no list answers; the usual TrackTik list shape
``{"data": [...], "meta": {...}}`` is read (a bare list is accepted too), and
references are taken as numbers, numeric strings or ``{"id": ...}`` objects.
"""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ..errors import (
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from ..http import AMBIGUOUS_STATUSES, Response, first_text
from ..models import PunchRequest

REJECT_STATUSES: Final = frozenset({400, 404, 409, 422})
CODE_KEYS: Final = ("code", "errorCode", "error")
MESSAGE_KEYS: Final = ("message", "detail", "error_description", "title")


def employee_id(punch: PunchRequest) -> int:
    """Return the TrackTik employee id of a punch."""
    if (employee := ref_id(punch.person)) is None:
        raise TimeClockRejectedError(
            "The TrackTik employee id must be a number", code="INVALID_EMPLOYEE"
        )
    return employee


def ref_id(value: Any, default: int | None = None) -> int | None:
    """Return the id of a reference: a number, a numeric string or an object with an id."""
    if isinstance(value, Mapping):
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default


def first_id(*values: Any) -> int | None:
    """Return the first of ``values`` that is a usable id."""
    return next(
        (found for value in values if (found := ref_id(value)) is not None), None
    )


def unwrap(resp: Response) -> dict[str, Any]:
    """Return the object of an answer, unwrapping ``{"data": {...}}``."""
    body = resp.json()
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    if not isinstance(body, dict):
        raise TimeClockConnectionError(
            "TrackTik sent an unexpected answer", ambiguous=True
        )
    return body


def items(resp: Response) -> list[dict[str, Any]]:
    """Return the objects of a list answer: ``{"data": [...]}`` or a bare list."""
    body = resp.json()
    if isinstance(body, dict):
        body = body.get("data")
    if not isinstance(body, list):
        raise TimeClockConnectionError(
            "TrackTik sent an unexpected list", ambiguous=True
        )
    return [item for item in body if isinstance(item, dict)]


def raise_for_status(resp: Response) -> None:
    """Raise the error that an API answer's status means."""
    status = resp.status
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise TimeClockAuthenticationError(f"TrackTik refused access (HTTP {status})")
    if status == 429:
        raise TimeClockRateLimitedError(
            "TrackTik rate limit reached", retry_after=resp.retry_after()
        )
    if status in REJECT_STATUSES:
        code, message = error_details(
            resp, "NOT_FOUND" if status == 404 else "VALIDATION"
        )
        raise TimeClockRejectedError(message, code=code)
    raise TimeClockConnectionError(
        f"TrackTik answered HTTP {status}", ambiguous=status in AMBIGUOUS_STATUSES
    )


def error_details(resp: Response, default: str) -> tuple[str, str]:
    """Return the code and message of an error answer, read leniently."""
    body = resp.json()
    sources: list[Mapping[str, Any]] = []
    if isinstance(body, dict):
        sources.append(body)
        for key in ("error", "errors"):
            nested = body.get(key)
            if isinstance(nested, list) and nested:
                nested = nested[0]
            if isinstance(nested, dict):
                sources.append(nested)
    code = first_text(sources, *CODE_KEYS) or default
    message = (
        first_text(sources, *MESSAGE_KEYS) or f"TrackTik answered HTTP {resp.status}"
    )
    return code, message[:200]
