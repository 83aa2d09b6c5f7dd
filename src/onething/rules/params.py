"""Dated parameters (phase 4): each value holds from a date to a date, like legislation.

A run is "as of" a date; every parameter it reads resolves at that date, once per
scenario. A scenario overrides some parameters (a policy simulation: "what if the
refund ratio were 0.50?"); the others keep their dated value. A parameter with no value
on the date is an error naming the parameter, the date and the ranges that exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from onething.rules.errors import Problem, Problems, closest

if TYPE_CHECKING:
    from onething.rules.authoring import DatedValue, Pack, Parameter

MAX_PARAMETER_SCALE = 10
DEFAULT_SCENARIO = "base"


class BadValue(ValueError):
    """A value that does not fit its declared type; ``key`` names the reason."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def coerce(value: Any, type_name: str) -> Any:
    """``value`` as the Python value of ``type_name``; raises :class:`BadValue`.

    Decimals are exact: a ``float`` is refused (write ``"0.055"``, not ``0.055``, in code).
    """
    if value is None:
        raise BadValue("rules.param.value_missing")
    if type_name == "decimal":
        return _decimal(value)
    if type_name == "int":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise BadValue("rules.param.not_int")
        try:
            return int(value)
        except ValueError:
            raise BadValue("rules.param.not_int") from None
    if type_name == "bool":
        if not isinstance(value, bool):
            raise BadValue("rules.param.not_bool")
        return value
    if type_name == "date":
        if isinstance(value, datetime) or not isinstance(value, date | str):
            raise BadValue("rules.param.not_date")
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadValue("rules.param.not_date") from None
    if not isinstance(value, str):
        raise BadValue("rules.param.not_text")
    return value


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise BadValue("rules.param.float")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise BadValue("rules.param.not_decimal")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValue("rules.param.not_decimal") from None
    if not number.is_finite():
        raise BadValue("rules.param.not_decimal")
    if decimal_scale(number) > MAX_PARAMETER_SCALE:
        raise BadValue("rules.param.too_many_places")
    return number


def decimal_scale(number: Decimal) -> int:
    """Digits after the point as written (``0.30`` → 2, ``12`` → 0)."""
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_parameters(pack: Pack) -> list[Problem]:
    """Load-time checks: every dated value fits the type; ranges are ordered and disjoint."""
    found = Problems()
    for name, param in pack.parameters.items():
        spans: list[tuple[date, date | None, int]] = []
        for i, dated in enumerate(param.values):
            where = f"parameters.{name}.values[{i}]"
            try:
                coerce(dated.value, param.type)
            except BadValue as bad:
                found.add(where, bad.key, value=dated.value, type=param.type)
            if dated.valid_to is not None and dated.valid_to < dated.valid_from:
                found.add(
                    where, "rules.param.backwards", start=dated.valid_from, end=dated.valid_to
                )
            spans.append((dated.valid_from, dated.valid_to, i))
        spans.sort(key=lambda s: s[0])
        for (_, end, i), (start, _, j) in pairwise(spans):
            if end is None or end >= start:
                found.add(
                    f"parameters.{name}.values[{j}]",
                    "rules.param.overlap",
                    other=f"parameters.{name}.values[{i}]",
                )
    return found.items


@dataclass(frozen=True, slots=True)
class ResolvedValue:
    """A parameter's value in one scenario, with where it came from."""

    value: Any
    reference: str | None
    valid_from: date | None = None
    valid_to: date | None = None
    overridden: bool = False


def value_on(param: Parameter, as_of: date) -> DatedValue | None:
    """The dated value in force on ``as_of`` (both ends inclusive), if any."""
    for dated in param.values:
        if dated.valid_from <= as_of and (dated.valid_to is None or as_of <= dated.valid_to):
            return dated
    return None


def describe_ranges(param: Parameter) -> str:
    spans = sorted(param.values, key=lambda d: d.valid_from)
    return "; ".join(
        f"{d.valid_from.isoformat()} – {d.valid_to.isoformat() if d.valid_to else '…'}"
        for d in spans
    )


def resolve(
    pack: Pack,
    as_of: date,
    names: Iterable[str],
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, ResolvedValue]]:
    """Scenario → parameter → value at ``as_of`` for the parameters ``names``.

    Without ``scenarios`` there is one, ``base``, with no overrides.
    """
    plan = dict(scenarios) if scenarios else {DEFAULT_SCENARIO: {}}
    found = Problems()
    wanted = list(dict.fromkeys(names))
    resolved: dict[str, dict[str, ResolvedValue]] = {}
    missing: set[str] = set()
    for scenario, overrides in plan.items():
        if not isinstance(scenario, str) or not scenario:
            found.add("scenarios", "rules.param.scenario_name", scenario=scenario)
            continue
        values: dict[str, ResolvedValue] = {}
        for name, raw in overrides.items():
            param = pack.parameters.get(name)
            where = f"scenarios.{scenario}.{name}"
            if param is None:
                found.add(
                    where,
                    "rules.param.unknown",
                    name=name,
                    candidate=closest(name, pack.parameters),
                )
                continue
            try:
                values[name] = ResolvedValue(
                    coerce(raw, param.type), f"scenario {scenario}", overridden=True
                )
            except BadValue as bad:
                found.add(where, bad.key, value=raw, type=param.type)
        for name in wanted:
            if name in values:
                continue
            param = pack.parameters[name]
            dated = value_on(param, as_of)
            if dated is None:
                if name in missing:
                    continue
                missing.add(name)
                found.add(
                    f"parameters.{name}",
                    "rules.param.missing",
                    name=name,
                    date=as_of.isoformat(),
                    ranges=describe_ranges(param),
                    scenario=scenario,
                )
                continue
            values[name] = ResolvedValue(
                coerce(dated.value, param.type),
                dated.reference or param.reference,
                dated.valid_from,
                dated.valid_to,
            )
        resolved[scenario] = {n: values[n] for n in wanted if n in values}
    found.raise_if_any()
    return resolved
