"""State machines as data: states, transitions, the roles allowed and the guards on each.

A case's ``kind`` picks its machine. A :class:`Transition` declares the states it leaves,
the state it enters, the roles that may take it, what it does to the clocks, and its guard
hooks. Anything not declared is refused with :class:`~onething.cases.errors.TransitionRefused`,
which names the actions that *are* allowed from the current state.

The application (办件) machine (clock effects in brackets)::

    waiting      --release (engine: prior matters granted)-->  submitted
    waiting      --cancel (engine: a prior matter failed)--->  cancelled
    submitted    --accept [legal and promised terms start]-->  accepted
    submitted    --refuse (reasons required)---------------->  refused
    submitted |
    accepted  |  --request_correction [pause] (what is missing, told once)-->  correction
    under_review |
    correction   --resubmit [resume]------------------------>  the state it interrupted
    accepted     --start_review----------------------------->  under_review
    under_review --conclude (granted | denied) [stop]------->  concluded
    concluded    --deliver---------------------------------->  delivered

plus annotations that keep the state: ``extend_clock``, ``supervise``,
``recompute_clock`` while open, ``evaluate`` once concluded.

Guards are plain callables given the case (a read-only :class:`CaseSnapshot`), the
transition and the actor; each returns :class:`Finding` s. A ``block`` finding refuses the
step with its explanation; a ``warn`` finding is recorded on the event. Every transition
runs its own declared guards and then the service's pluggable guards (the rules-engine
adapter of phase ``in`` plugs in there; see :class:`TransitionGuard`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from onething.cases.actors import Actor
from onething.cases.errors import TransitionRefused
from onething.kit.i18n import DEFAULT_LOCALE, translate

ClockEffect = Literal["start", "pause", "resume", "stop"]
Severity = Literal["block", "warn"]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a guard found: ``block`` refuses the step, ``warn`` is recorded on the event.

    ``message`` is what a clerk reads (a rule's message, or a translated built-in check);
    ``explanation`` carries the why (values read, legal basis, pack version …).
    """

    severity: Severity
    code: str
    message: str
    explanation: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "explanation": dict(self.explanation),
        }


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """A read-only view of a case for guards, with what the step proposes to change.

    ``proposed`` holds the verb's payload: ``note``, ``outcome``, ``outputs``, ``days`` …;
    ``at`` is when the step is taken (rules guards evaluate the registry as of that day).
    """

    id: str
    kind: str
    service_code: str
    state: str
    applicant_kind: str
    applicant_id: str
    department: str
    region: str
    data: Mapping[str, Any]
    proposed: Mapping[str, Any]
    at: datetime | None = None


class TransitionGuard(Protocol):
    """A guard hook: returns findings (none when the step may go ahead).

    The rules-engine adapter is one: it runs the rules of phase ``in`` that guard the
    case's matter for its applicant and maps hits to findings (severity ``block``/``warn``,
    the rule's message, the hit's explanation).
    """

    def __call__(
        self, case: CaseSnapshot, transition: Transition, actor: Actor
    ) -> Iterable[Finding]: ...


def requires_note(case: CaseSnapshot, transition: Transition, actor: Actor) -> list[Finding]:
    """The step must say why (不予受理 states its reasons; 补正 lists what is missing, 一次告知)."""
    note = case.proposed.get("note")
    if isinstance(note, str) and note.strip():
        return []
    code = "cases.guard.note_required"
    message = translate(code, DEFAULT_LOCALE, action=translate(f"cases.action.{transition.action}"))
    return [Finding("block", code, message)]


@dataclass(frozen=True, slots=True)
class State:
    """A state; ``closed`` means the decision is made (办结) or the case ended otherwise."""

    name: str
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    """A declared step.

    ``target`` ``None`` keeps the state (an annotation such as ``extend_clock`` or
    ``evaluate``); ``holds`` remembers the state left (a correction interrupts it) and
    ``returns`` goes back to it (the resubmission).
    """

    action: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    clocks: ClockEffect | None = None
    holds: bool = False
    returns: bool = False
    guards: tuple[TransitionGuard, ...] = ()

    def target_from(self, state: str, held_from: str | None) -> str:
        """The state the case enters when taking this transition from ``state``."""
        if self.returns:
            return held_from or state
        return self.target or state


def _t(
    action: str,
    sources: Iterable[str],
    target: str | None,
    roles: Iterable[str],
    **options: Any,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), **options)


@dataclass(frozen=True)
class StateMachine:
    """The states and transitions of one kind of case.

    ``entry_roles`` may create a case of this kind; :attr:`entry` is that creation as a
    transition (``submit``, into ``initial``), so guards see submissions too (rules of phase
    ``pre`` plug in there).
    """

    kind: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    entry_roles: tuple[str, ...] = ("system",)
    _by_state: dict[str, dict[str, Transition]] = field(init=False, repr=False, compare=False)

    @property
    def entry(self) -> Transition:
        """Creating a case of this kind, as a transition from no state."""
        return Transition("submit", frozenset(), self.initial, frozenset(self.entry_roles))

    def __post_init__(self) -> None:
        names = {s.name for s in self.states}
        if self.initial not in names:
            raise ValueError(f"{self.kind}: initial state {self.initial!r} is not declared")
        by_state: dict[str, dict[str, Transition]] = {name: {} for name in names}
        for transition in self.transitions:
            targets = {transition.target} - {None}
            unknown = (transition.sources | targets) - names
            if unknown:
                raise ValueError(f"{self.kind}.{transition.action}: unknown states {unknown}")
            for source in transition.sources:
                if transition.action in by_state[source]:
                    raise ValueError(f"{self.kind}: {transition.action} twice from {source}")
                by_state[source][transition.action] = transition
        object.__setattr__(self, "_by_state", by_state)

    def state(self, name: str) -> State:
        return next(s for s in self.states if s.name == name)

    def is_closed(self, name: str) -> bool:
        return self.state(name).closed

    def allowed(self, state: str, role: str | None = None) -> tuple[str, ...]:
        """The actions people may take from ``state`` (those ``role`` may take, if given).

        Without ``role``, steps only the engine takes (``release``, ``cancel`` …) are left out.
        """
        return tuple(
            action
            for action, transition in self._by_state.get(state, {}).items()
            if (role in transition.roles if role is not None else transition.roles != {"system"})
        )

    def transition(self, state: str, action: str) -> Transition:
        """The transition ``action`` from ``state``; :class:`TransitionRefused` if undeclared."""
        found = self._by_state.get(state, {}).get(action)
        if found is None:
            raise TransitionRefused(
                kind=self.kind, state=state, action=action, allowed=self.allowed(state)
            )
        return found


_CLERKS = ("clerk",)
_DECIDERS = ("reviewer", "clerk")
_APPLICANT_SIDE = ("applicant", "clerk")  # a clerk resubmits for an applicant at the counter
_EXTENDERS = ("clerk", "reviewer", "supervisor")
_WATCHERS = ("system", "supervisor")
_SYSTEM = ("system",)

APPLICATION = StateMachine(
    kind="application",
    initial="submitted",
    entry_roles=("applicant", "clerk", "system"),
    states=(
        State("waiting"),
        State("submitted"),
        State("correction"),
        State("accepted"),
        State("under_review"),
        State("refused", closed=True),
        State("cancelled", closed=True),
        State("concluded", closed=True),
        State("delivered", closed=True),
    ),
    transitions=(
        _t("release", ["waiting"], "submitted", _SYSTEM),
        _t("cancel", ["waiting", "submitted"], "cancelled", _SYSTEM),
        _t("accept", ["submitted"], "accepted", _CLERKS, clocks="start"),
        _t("refuse", ["submitted"], "refused", _CLERKS, guards=(requires_note,)),
        _t(
            "request_correction",
            ["submitted", "accepted", "under_review"],
            "correction",
            _DECIDERS,
            clocks="pause",
            holds=True,
            guards=(requires_note,),
        ),
        _t("resubmit", ["correction"], None, _APPLICANT_SIDE, clocks="resume", returns=True),
        _t("start_review", ["accepted"], "under_review", _DECIDERS),
        _t("conclude", ["under_review"], "concluded", ("reviewer",), clocks="stop"),
        _t("deliver", ["concluded"], "delivered", _CLERKS),
        _t("extend_clock", ["accepted", "under_review", "correction"], None, _EXTENDERS),
        _t("supervise", ["accepted", "under_review", "correction"], None, _WATCHERS),
        _t("recompute_clock", ["accepted", "under_review", "correction"], None, _WATCHERS),
        _t("evaluate", ["concluded", "delivered"], None, ("applicant",)),
    ),
)
"""申请办件: one matter, alone or as a child of a bundle."""

BUNDLE = StateMachine(
    kind="bundle",
    initial="in_progress",
    entry_roles=("applicant", "clerk", "system"),
    states=(
        State("in_progress"),
        State("concluded", closed=True),
        State("delivered", closed=True),
    ),
    transitions=(
        _t("progress", ["in_progress"], None, _SYSTEM),
        _t("conclude", ["in_progress"], "concluded", _SYSTEM, clocks="stop"),
        _t("deliver", ["concluded"], "delivered", _CLERKS),
        _t("extend_clock", ["in_progress"], None, _EXTENDERS),
        _t("supervise", ["in_progress"], None, _WATCHERS),
        _t("recompute_clock", ["in_progress"], None, _WATCHERS),
        _t("evaluate", ["concluded", "delivered"], None, ("applicant",)),
    ),
)
"""一件事: the parent of one child application per member; concludes when they all have."""

RECTIFICATION = StateMachine(
    kind="rectification",
    initial="open",
    states=(State("open"), State("rectified", closed=True)),
    transitions=(
        _t("rectify", ["open"], "rectified", _DECIDERS, clocks="stop", guards=(requires_note,)),
        _t("extend_clock", ["open"], None, _EXTENDERS),
        _t("supervise", ["open"], None, _WATCHERS),
        _t("recompute_clock", ["open"], None, _WATCHERS),
    ),
)
"""差评整改: opened by a bad rating, due in a configurable number of working days."""

CALLBACK = StateMachine(
    kind="callback",
    initial="waiting",
    states=(State("waiting"), State("open"), State("closed", closed=True)),
    transitions=(
        _t("release", ["waiting"], "open", _SYSTEM),
        _t("record_callback", ["open"], "closed", ("supervisor",), guards=(requires_note,)),
    ),
)
"""回访: the call back to the applicant once the rectification is reported done."""

MACHINES: dict[str, StateMachine] = {
    m.kind: m for m in (APPLICATION, BUNDLE, RECTIFICATION, CALLBACK)
}


def machine_for(kind: str) -> StateMachine:
    """The state machine of case kind ``kind``."""
    try:
        return MACHINES[kind]
    except KeyError:
        raise ValueError(f"no state machine for case kind {kind!r}") from None
