"""Problems found in a rule pack, each pinned to where it is (``rules[2].condition``).

A phase of the compiler collects every problem it finds before it stops, so an author
fixes a pack in one round, not one error at a time. :class:`RulesError` is an
:class:`~onething.kit.errors.InvalidInput` (HTTP 422): its message is the first problem,
``errors`` lists them all (where, message key, parameters, message in Chinese).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from onething.kit.errors import InvalidInput
from onething.kit.i18n import DEFAULT_LOCALE, translate


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: where in the pack, a message key and its parameters."""

    where: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        candidate = self.params.get("candidate")
        hint = translate("rules.did_you_mean", locale, name=candidate) if candidate else ""
        return translate(self.key, locale, where=self.where, hint=hint, **self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "key": self.key,
            "params": {k: str(v) for k, v in self.params.items()},
            "message": self.message(DEFAULT_LOCALE),
        }


class RulesError(InvalidInput):
    """A pack that cannot be loaded or compiled; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("RulesError needs at least one problem")
        first = self.problems[0]
        super().__init__(
            first.key,
            errors=[p.as_dict() for p in self.problems],
            where=first.where,
            **first.params,
        )

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        lines = [p.message(locale) for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        more = translate("rules.more_problems", locale, count=len(lines) - 1)
        return "\n".join([lines[0], more, *lines[1:]])


class Problems:
    """A collector: ``add`` problems while checking, ``raise_if_any`` at the end of a phase."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, where: str, key: str, **params: Any) -> None:
        self.items.append(Problem(where, key, params))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise RulesError(self.items)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (difflib), for "did you mean …?" hints."""
    close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return close[0] if close else None
