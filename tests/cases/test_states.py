"""The state machines as data: consistent, reachable, labelled in every locale."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from onething.cases import MACHINES, Actor, StateMachine
from onething.cases.actors import region_covers
from onething.cases.states import APPLICATION, State, Transition
from onething.kit.i18n import LOCALES, catalog


@pytest.mark.parametrize("machine", MACHINES.values(), ids=list(MACHINES))
def test_every_state_is_reachable_and_every_open_state_has_a_way_on(
    machine: StateMachine,
) -> None:
    entries = {machine.initial} | (
        {"waiting"} if "waiting" in {s.name for s in machine.states} else set()
    )
    reached = set(entries)
    frontier = list(entries)
    while frontier:
        state = frontier.pop()
        for transition in machine.transitions:
            if (
                state in transition.sources
                and transition.target
                and transition.target not in reached
            ):
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == {s.name for s in machine.states}
    for state in machine.states:
        moves = [
            t
            for t in machine.transitions
            if state.name in t.sources and (t.target not in (None, state.name) or t.returns)
        ]
        if not state.closed:
            assert moves, f"{machine.kind}.{state.name} is open but has no way on"


@pytest.mark.parametrize("locale", LOCALES)
def test_states_actions_and_messages_have_text_in_every_locale(locale: str) -> None:
    messages = catalog(locale)
    for machine in MACHINES.values():
        for state in machine.states:
            assert f"cases.state.{state.name}" in messages
        for transition in (*machine.transitions, machine.entry):
            assert f"cases.action.{transition.action}" in messages
    package = resources.files("onething.cases")
    source = "".join(
        p.read_text(encoding="utf-8") for p in package.iterdir() if p.name.endswith(".py")
    )
    used = set(re.findall(r'"(cases\.[a-z_.]+[a-z_])"', source))
    assert used, "the scan found no message keys"
    assert sorted(k for k in used if k not in messages) == []


def test_a_machine_refuses_undeclared_states_and_duplicate_actions() -> None:
    states = (State("a"), State("b", closed=True))
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine(
            "x", "a", states, (Transition("go", frozenset({"a"}), "c", frozenset({"clerk"})),)
        )
    twice = Transition("go", frozenset({"a"}), "b", frozenset({"clerk"}))
    with pytest.raises(ValueError, match="twice"):
        StateMachine("x", "a", states, (twice, twice))
    with pytest.raises(ValueError, match="initial"):
        StateMachine("x", "z", states, ())


def test_allowed_actions_leave_out_engine_steps_unless_asked_by_role() -> None:
    assert "release" not in APPLICATION.allowed("waiting")
    assert APPLICATION.allowed("waiting", "system") == ("release", "cancel")
    assert APPLICATION.allowed("accepted", "applicant") == ()
    assert set(APPLICATION.allowed("correction", "applicant")) == {"resubmit"}


def test_region_scopes_cover_the_divisions_below_them() -> None:
    assert region_covers("370000", "370102")  # the province
    assert region_covers("370100", "370102")  # Jinan covers Lixia
    assert region_covers("370102", "370102")
    assert not region_covers("370200", "370102")  # Qingdao does not
    assert not region_covers("370102", "370100")  # a district does not cover its city
    assert Actor("clerk", "c", "health", "370102").label == "clerk:c@health/370102"
