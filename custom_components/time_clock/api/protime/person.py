"""How a Protime clocking names its person: a Protime id or an external reference."""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..errors import TimeClockRejectedError
from ..models import PunchRequest

REFERENCE_ID: Final = "id"
BADGE_NUMBER: Final = "@badge-number"
EMPLOYEE_NUMBER: Final = "@employee-number"


@dataclass(frozen=True, kw_only=True)
class ProtimePerson:
    """How a clocking names its person: a Protime id or an external reference."""

    reference: str
    value: str

    @classmethod
    def from_punch(cls, punch: PunchRequest) -> ProtimePerson:
        """Return the person of a punch, or raise if it cannot name one."""
        reference = punch.extras.get("reference") or REFERENCE_ID
        value = punch.person.strip()
        if not isinstance(reference, str):
            raise TimeClockRejectedError(
                "Protime reference kind must be text", code="INVALID_REFERENCE"
            )
        if reference != REFERENCE_ID:
            if not value:
                raise TimeClockRejectedError(
                    "Protime person reference is empty", code="INVALID_PERSON"
                )
            return cls(reference=reference, value=value)
        if not (value.isascii() and value.isdigit()):
            raise TimeClockRejectedError(
                "Protime person id must be a number", code="INVALID_PERSON"
            )
        return cls(reference=REFERENCE_ID, value=str(int(value)))

    def as_body(self) -> dict[str, Any]:
        """Return the ``person`` object of a clocking."""
        if self.reference == REFERENCE_ID:
            return {"id": int(self.value)}
        return {"externalReferences": {self.reference: self.value}}

    def is_in(self, found: Any) -> bool:
        """Return whether a clocking's ``person`` object names this person."""
        if found is None:
            # Only a person-id filter returns clockings without their person.
            return self.reference == REFERENCE_ID
        if not isinstance(found, Mapping):
            return False
        if self.reference == REFERENCE_ID:
            return str(found.get("id")) == self.value
        refs = found.get("externalReferences")
        return isinstance(refs, Mapping) and str(refs.get(self.reference)) == self.value
