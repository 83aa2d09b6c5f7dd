"""Bundle fan-out (一件事): one parent case, one child per member, in dependency order.

At submission :func:`plan_bundle` checks the bundle's graph (unknown members, bad input
references, cycles — shown as a path) and orders the members so that every member comes
after what it waits for. A member waits for the matters in its ``depends_on`` and for
every matter its ``inputs`` read from. Each child keeps a snapshot of its member in
``Case.plan``.

When a child is closed (concluded, refused or cancelled), :func:`settle` moves the rest:

- a waiting child whose dependencies have all been granted receives its inputs from their
  outputs and is released into its department's intake queue (``waiting -> submitted``);
- a waiting child whose dependency was denied, refused or cancelled is cancelled, and so,
  in turn, are the children waiting for it;
- the parent records the progress; when every child is closed, the parent concludes
  (granted / denied / partial), its clocks stop, and ONE result notice goes to the outbox.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from graphlib import CycleError, TopologicalSorter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onething.cases.actors import SYSTEM
from onething.cases.clocks import apply_effect, load_ledgers
from onething.cases.definitions import BundleDefinition, MatterDefinition, ServiceCatalog
from onething.cases.outbox import enqueue_result_notice
from onething.cases.states import APPLICATION, TransitionGuard
from onething.cases.transitions import perform
from onething.kit.calendar import WorkingCalendar
from onething.kit.errors import InvalidInput
from onething.kit.i18n import translate
from onething.models.cases import Case


@dataclass(frozen=True, slots=True)
class MemberPlan:
    """A bundle member resolved to its matter, with everything it waits for."""

    matter: MatterDefinition
    depends_on: tuple[str, ...]
    inputs: Mapping[str, str]

    def snapshot(self) -> dict[str, Any]:
        """What the child case keeps of its member (``Case.plan``)."""
        return {
            "member": self.matter.code,
            "depends_on": list(self.depends_on),
            "inputs": dict(self.inputs),
        }


def plan_bundle(bundle: BundleDefinition, catalog: ServiceCatalog) -> list[MemberPlan]:
    """The members of ``bundle`` in dependency order (member order among equals).

    Raises ``InvalidInput`` for a duplicate member, a dependency or input on a matter that is
    not a member, an input not written ``matter_code.output_key``, or a cycle.
    """
    counts = Counter(m.matter for m in bundle.members)
    duplicates = sorted(code for code, n in counts.items() if n > 1)
    if duplicates:
        raise InvalidInput(
            "cases.bundle.duplicate_member", bundle=bundle.code, matter=", ".join(duplicates)
        )
    order = {m.matter: i for i, m in enumerate(bundle.members)}
    graph: dict[str, set[str]] = {}
    for member in bundle.members:
        waits = set(member.depends_on)
        for key, ref in member.inputs.items():
            source, dot, output = ref.partition(".")
            if not dot or not source or not output:
                raise InvalidInput(
                    "cases.bundle.bad_input", bundle=bundle.code, matter=member.matter, key=key
                )
            waits.add(source)
        unknown = sorted(waits - order.keys())
        if unknown:
            raise InvalidInput(
                "cases.bundle.unknown_dependency",
                bundle=bundle.code,
                matter=member.matter,
                missing=", ".join(unknown),
            )
        graph[member.matter] = waits
    sorter: TopologicalSorter[str] = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        path = " → ".join(exc.args[1]) if len(exc.args) > 1 else ""
        raise InvalidInput("cases.bundle.cycle", bundle=bundle.code, path=path) from None
    ordered: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=order.__getitem__)
        ordered.extend(ready)
        sorter.done(*ready)
    members = {m.matter: m for m in bundle.members}
    return [
        MemberPlan(
            matter=catalog.matter(code),
            depends_on=tuple(sorted(graph[code], key=order.__getitem__)),
            inputs=dict(members[code].inputs),
        )
        for code in ordered
    ]


def required_outputs(child: Case, siblings: Sequence[Case]) -> list[str]:
    """The output keys of ``child`` that its waiting siblings read as inputs."""
    member = (child.plan or {}).get("member")
    needed: set[str] = set()
    for sibling in siblings:
        for ref in (sibling.plan or {}).get("inputs", {}).values():
            source, _, output = str(ref).partition(".")
            if source == member:
                needed.add(output)
    return sorted(needed)


def _gather_inputs(child: Case, by_member: Mapping[str, Case]) -> dict[str, Any]:
    inputs = dict((child.data or {}).get("inputs", {}))
    for key, ref in (child.plan or {}).get("inputs", {}).items():
        source, _, output = str(ref).partition(".")
        outputs = (by_member[source].data or {}).get("outputs", {})
        if output in outputs:
            inputs[key] = outputs[output]
    return inputs


def child_order(case: Case) -> tuple[int, datetime, str]:
    """Sort key of children: a bundle's member order (dependency order), then creation."""
    position = (case.plan or {}).get("position")
    return (position if isinstance(position, int) else 0, case.created_at, case.id)


def load_children(session: Session, parent_id: str) -> list[Case]:
    """The children of a case, in member order (one query)."""
    found = session.scalars(select(Case).where(Case.parent_id == parent_id)).all()
    return sorted(found, key=child_order)


def parent_outcome(children: Sequence[Case]) -> str:
    """granted when every member was granted, denied when none was, else partial."""
    granted = sum(1 for c in children if c.outcome == "granted")
    if granted == len(children):
        return "granted"
    return "denied" if granted == 0 else "partial"


def settle(
    session: Session,
    parent: Case,
    closed_child: Case,
    children: Sequence[Case],
    *,
    at: datetime,
    guards: Sequence[TransitionGuard],
    calendar: WorkingCalendar,
) -> None:
    """Move a bundle on after ``closed_child`` closed (see the module docstring)."""
    by_member = {str((c.plan or {}).get("member")): c for c in children}
    moved = True
    while moved:
        moved = False
        for child in children:
            if child.state != "waiting":
                continue
            deps = [by_member[d] for d in (child.plan or {}).get("depends_on", [])]
            failed = [d for d in deps if APPLICATION.is_closed(d.state) and d.outcome != "granted"]
            if failed:
                names = "、".join(d.service_name for d in failed)
                perform(
                    session,
                    child,
                    "cancel",
                    SYSTEM,
                    at=at,
                    guards=guards,
                    note=translate("cases.bundle.dependency_failed", names=names),
                    after={"failed": [d.service_code for d in failed]},
                )
                moved = True
            elif all(d.outcome == "granted" for d in deps):
                inputs = _gather_inputs(child, by_member)
                perform(
                    session,
                    child,
                    "release",
                    SYSTEM,
                    at=at,
                    guards=guards,
                    proposed={"inputs": inputs},
                    after={"inputs": inputs},
                )
                child.data = {**(child.data or {}), "inputs": inputs}
                moved = True

    perform(
        session,
        parent,
        "progress",
        SYSTEM,
        at=at,
        guards=guards,
        after={
            "member": closed_child.service_code,
            "member_state": closed_child.state,
            "member_outcome": closed_child.outcome,
        },
    )
    if not all(APPLICATION.is_closed(c.state) for c in children):
        return
    outcome = parent_outcome(children)
    perform(
        session,
        parent,
        "conclude",
        SYSTEM,
        at=at,
        guards=guards,
        proposed={"outcome": outcome},
        before={"outcome": parent.outcome},
        after={"outcome": outcome},
    )
    parent.outcome = outcome
    parent.concluded_at = at
    ledgers = load_ledgers(session, [parent.id])[parent.id]
    apply_effect(session, calendar, ledgers, "stop", at=at, actor=SYSTEM.label)
    enqueue_result_notice(session, parent, children, at=at)
