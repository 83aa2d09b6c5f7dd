"""What a check found: reasons with codes, parameters and translated messages.

Every identifier check returns a frozen result that lists its :class:`Reason` objects. A
reason is an *error* (the identifier is invalid) or a *warning* (worth showing, never a
refusal: an area code we do not know, say). Its ``code`` is also its message key in the
i18n catalogs (``data/i18n/<locale>/ids.yaml``), so a person reads it in their language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from onething.kit.errors import InvalidInput
from onething.kit.i18n import DEFAULT_LOCALE, translate

Severity = Literal["error", "warning"]

REASON_CODES: frozenset[str] = frozenset(
    {
        # resident identity number (公民身份号码)
        "id.bad_length",
        "id.bad_characters",
        "id.bad_date",
        "id.future_date",
        "id.bad_check_digit",
        "id.unknown_area",
        "id.development_zone_area",
        # unified social credit code (统一社会信用代码)
        "uscc.bad_length",
        "uscc.bad_characters",
        "uscc.bad_authority",
        "uscc.bad_area_code",
        "uscc.unknown_area",
        "uscc.bad_org_code_check",
        "uscc.bad_check_digit",
        # mobile number
        "mobile.bad_format",
    }
)
"""Every reason code a check in this package can report (each has a message in every locale)."""

INVALID_KEYS: dict[str, str] = {
    "id": "id.invalid",
    "uscc": "uscc.invalid",
    "mobile": "mobile.invalid",
}
"""The summary message key raised by :meth:`Check.raise_for_errors`, per identifier kind."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding of a check.

    ``code`` is the message key (``id.bad_check_digit``); ``params`` fill its placeholders
    and are JSON-friendly (strings and integers), so an API can return them as they are.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        """The reason in words, in ``locale`` (Simplified Chinese by default)."""
        return translate(self.code, locale, **self.params)

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        """A JSON-ready form: code, severity, params and the message in ``locale``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "params": dict(self.params),
            "message": self.message(locale),
        }


def error(code: str, **params: Any) -> Reason:
    return Reason(code, params, "error")


def warning(code: str, **params: Any) -> Reason:
    return Reason(code, params, "warning")


@dataclass(frozen=True, slots=True)
class Check:
    """The common part of every identifier check.

    ``value`` is the input as given; ``normalized`` is its canonical form (``None`` when the
    input is too broken to have one); ``ok`` holds when no reason is an error. Both strings
    are left out of ``repr`` so that a logged result does not carry a person's number.
    """

    value: str = field(repr=False)
    reasons: tuple[Reason, ...]
    normalized: str | None = field(repr=False)

    @property
    def ok(self) -> bool:
        return not any(r.is_error for r in self.reasons)

    @property
    def errors(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.is_error)

    @property
    def warnings(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.is_error)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in the order they were found."""
        return tuple(r.code for r in self.reasons)

    def messages(self, locale: str = DEFAULT_LOCALE) -> list[str]:
        return [r.message(locale) for r in self.reasons]

    def raise_for_errors(self, field_name: str | None = None) -> None:
        """Raise :class:`~onething.kit.errors.InvalidInput` listing the errors, if any.

        ``field_name`` names the form field, so an API client can point at it.
        """
        if self.ok:
            return
        kind = self.errors[0].code.split(".", 1)[0]
        items = []
        for reason in self.errors:
            item = reason.as_dict()
            if field_name is not None:
                item["field"] = field_name
            items.append(item)
        raise InvalidInput(INVALID_KEYS.get(kind, "error.invalid_input"), errors=items)
