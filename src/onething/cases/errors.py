"""The case engine's typed errors (each a :class:`~onething.kit.errors.Conflict`, HTTP 409).

Their messages name states and actions in the reader's language (``cases.state.*``,
``cases.action.*`` in ``data/i18n/<locale>/cases.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from onething.kit.errors import Conflict
from onething.kit.i18n import DEFAULT_LOCALE, translate


def state_label(state: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """A state's name for people (``accepted`` -> 已受理)."""
    return translate(f"cases.state.{state}", locale) if state else "-"


def action_label(action: str, locale: str = DEFAULT_LOCALE) -> str:
    """An action's name for people (``accept`` -> 受理)."""
    return translate(f"cases.action.{action}", locale)


class TransitionRefused(Conflict):
    """The action is not declared from the case's state; names the actions that are."""

    type_slug: ClassVar[str] = "transition-refused"

    def __init__(self, *, kind: str, state: str, action: str, allowed: Sequence[str]) -> None:
        self.state = state
        self.action = action
        self.allowed = tuple(allowed)
        super().__init__(
            "cases.transition.not_allowed",
            errors=[{"state": state, "action": action, "allowed_actions": list(allowed)}],
            kind=kind,
            state=state,
            action=action,
        )

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        none = translate("cases.transition.none_allowed", locale)
        separator = translate("cases.list_separator", locale)
        return translate(
            self.key,
            locale,
            state=state_label(self.state, locale),
            action=action_label(self.action, locale),
            allowed=separator.join(action_label(a, locale) for a in self.allowed) or none,
        )


class GuardBlocked(Conflict):
    """A guard (a built-in check or a rule of phase ``in``) blocked the step; lists why."""

    type_slug: ClassVar[str] = "blocked"

    def __init__(self, *, action: str, findings: Sequence[dict[str, Any]]) -> None:
        self.action = action
        self.findings = list(findings)
        super().__init__("cases.guard.blocked", errors=self.findings, action=action)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        separator = translate("cases.list_separator", locale)
        return translate(
            self.key,
            locale,
            action=action_label(self.action, locale),
            reasons=separator.join(str(f["message"]) for f in self.findings),
        )
