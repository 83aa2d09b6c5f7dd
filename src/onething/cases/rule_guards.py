"""The rules engine as a transition guard: a matter's rule packs checked for its applicant.

A matter names the packs that guard it (``guards: [fund_risk]`` in the catalog). When a
case of that matter is submitted (or released from a bundle) the packs' ``pre`` rules run
for the applicant; when a clerk accepts it, starts the review or grants it, the ``in``
rules run. Each hit becomes a :class:`~onething.cases.states.Finding`: a ``block`` rule
refuses the step with the rule's message and its explanation (the values read, each
clause's verdict, the legal basis, pack and parameter versions); a ``warn`` rule is shown
to the clerk and recorded on the event; ``info`` rules are not findings. A refusal or a
denial is never blocked by a rule: the rules guard what is granted.

The registry is read as of the day the step is taken (Asia/Shanghai), or as of the day its
data runs to when that is earlier (``data_as_of``: what happened after it is not known
yet). Explanations are made JSON-safe (dates as ISO text, money as exact decimal text), as
they are recorded on the event and sent to the clerk. The engine does not
know the catalog: the channel that assembles the service passes ``packs_by_matter``
(``{matter code: [pack, …]}``) and one :class:`~onething.rules.Checker` per pack::

    guard = RulesGuard({"hrss.pension_claim": ["fund_risk"]}, {"fund_risk": checker})
    service = CaseService(calendar=calendar, guards=(guard,))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from onething.cases.actors import Actor
from onething.cases.states import CaseSnapshot, Finding, Severity, Transition
from onething.kit.clock import SHANGHAI, now
from onething.rules.run.result import explanation_json

if TYPE_CHECKING:
    from onething.rules import Checker, Hit

PHASES_BY_ACTION: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "submit": ("pre",),
        "release": ("pre",),
        "accept": ("in",),
        "start_review": ("in",),
        "conclude": ("in",),
    }
)
"""Which rule phases each step runs (事前 at submission, 事中 while handling)."""

_SEVERITY: Mapping[str, Severity] = MappingProxyType({"block": "block", "warn": "warn"})


class RulesGuard:
    """Runs the packs guarding a case's matter for its applicant (see the module doc).

    ``phases_by_action`` overrides :data:`PHASES_BY_ACTION`. A pack about another kind of
    entity than the applicant (an enterprise pack for a person's case) is skipped.
    Errors of the rules engine (the registry cannot be read) propagate: a guard that
    cannot look must not let the step through.
    """

    def __init__(
        self,
        packs_by_matter: Mapping[str, Sequence[str]],
        checkers: Mapping[str, Checker],
        *,
        phases_by_action: Mapping[str, tuple[str, ...]] = PHASES_BY_ACTION,
        data_as_of: Callable[[], date | None] | None = None,
    ) -> None:
        unknown = sorted({p for packs in packs_by_matter.values() for p in packs} - set(checkers))
        if unknown:
            raise ValueError(f"no checker for the guarding packs {unknown}")
        self.packs_by_matter = {code: tuple(packs) for code, packs in packs_by_matter.items()}
        self.checkers = checkers  # looked up per check: a mapping may open them lazily
        self.phases_by_action = dict(phases_by_action)
        self.data_as_of = data_as_of

    def __call__(
        self, case: CaseSnapshot, transition: Transition, actor: Actor
    ) -> Iterable[Finding]:
        packs = self.packs_by_matter.get(case.service_code, ())
        phases = self.phases_by_action.get(transition.action)
        if not packs or not phases or case.proposed.get("outcome") == "denied":
            return []
        as_of = (case.at or now()).astimezone(SHANGHAI).date()
        known = self.data_as_of() if self.data_as_of is not None else None
        if known is not None:
            as_of = min(as_of, known)
        findings: list[Finding] = []
        for name in packs:
            checker = self.checkers[name]
            if checker.pack.entity != case.applicant_kind:
                continue
            for hit in checker.check(case.applicant_id, as_of, phases=phases):
                finding = finding_of(hit)
                if finding is not None:
                    findings.append(finding)
        return findings


def finding_of(hit: Hit) -> Finding | None:
    """The finding a hit makes: its severity, ``rules.<pack>.<rule>``, message, explanation."""
    severity = _SEVERITY.get(hit.severity)
    if severity is None:
        return None
    explanation = json.loads(explanation_json(hit.explanation))
    message = explanation.get("message") or explanation.get("label") or hit.rule
    return Finding(severity, f"rules.{hit.pack}.{hit.rule}", str(message), explanation)
