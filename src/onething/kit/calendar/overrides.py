"""The administrator-maintained override file: official days the library does not know.

``chinese-calendar`` hard-codes each year's State Council schedule
(国务院办公厅关于XXXX年部分节假日安排的通知) and needs a new release for every year. Until
that release is installed, an administrator copies the notice into a YAML file::

    years:
      2027:
        complete: true            # every holiday and make-up working day of 2027 is listed
        notice: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
        holidays:
          - {date: 2027-01-01, name: 元旦}
          - {from: 2027-02-06, to: 2027-02-12, name: 春节}
        workdays:                 # make-up working days (调休上班)
          - {date: 2027-02-14, name: 春节}

Entries win over the library, so the file also corrects it. A year is *known* when the
library has it or its override block says ``complete: true``; other years are computed
weekends-only and every result touching them is flagged. A notice for year Y may reach
back into December of Y-1 (元旦 spanning the new year), so those dates are accepted too.

Every problem is reported with the file, the entry (``years.2027.holidays[2]``, positions
counted from 1) and what is wrong, as :class:`~onething.kit.errors.InvalidInput`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from onething.kit.errors import InvalidInput
from onething.kit.i18n import DEFAULT_LOCALE, translate

SHIPPED_OVERRIDES = "data/calendar/overrides.yaml"
"""Location of the shipped override file inside the ``onething`` package."""

MAX_RANGE_DAYS = 31
"""A holiday range longer than this is almost certainly a typo (the longest is 9 days)."""

_TOP_FIELDS = ("years",)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so a bad date is reported with its entry.

    (PyYAML's own date resolution raises a bare ``ValueError`` on "2027-02-30".)
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YEAR_FIELDS = ("complete", "notice", "holidays", "workdays")
_ENTRY_FIELDS = ("date", "from", "to", "name")
_SECTIONS = {"holidays": False, "workdays": True}  # section -> lists working days?


@dataclass(frozen=True, slots=True)
class OverrideDay:
    """One day fixed by an override: a holiday or a (make-up) working day."""

    day: date
    is_workday: bool
    name: str
    notice_year: int


@dataclass(frozen=True, slots=True)
class OverrideYear:
    """The override block of one year (the year of the State Council notice)."""

    year: int
    complete: bool
    notice: str | None = None


@dataclass(frozen=True)
class CalendarOverrides:
    """Validated override data: days by date and the per-year blocks.

    Build it with :meth:`load` (a file), :meth:`parse` (data already read),
    :meth:`shipped` (the file shipped with the package) or :meth:`empty`.
    """

    source: str
    days: Mapping[date, OverrideDay] = field(default_factory=dict)
    years: Mapping[int, OverrideYear] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> CalendarOverrides:
        """No overrides: the library alone, weekends-only beyond it."""
        return cls(source="<none>")

    @classmethod
    def load(cls, path: Path | str) -> CalendarOverrides:
        """Read and validate the YAML file at ``path``."""
        file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput("calendar.overrides.unreadable", file=file, reason=str(exc)) from exc
        return cls.parse_text(text, source=file)

    @classmethod
    def shipped(cls) -> CalendarOverrides:
        """The override file shipped with the package (``onething/data/calendar``)."""
        resource = resources.files("onething").joinpath(SHIPPED_OVERRIDES)
        return cls.parse_text(resource.read_text(encoding="utf-8"), source=SHIPPED_OVERRIDES)

    @classmethod
    def parse_text(cls, text: str, *, source: str) -> CalendarOverrides:
        """Validate YAML ``text``; ``source`` names it in error messages."""
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            raise InvalidInput(
                "calendar.overrides.bad_yaml", file=source, reason=str(exc).replace("\n", " ")
            ) from exc
        return cls.parse(data, source=source)

    @classmethod
    def parse(cls, data: object, *, source: str = "<memory>") -> CalendarOverrides:
        """Validate already-loaded data (``None`` means an empty file).

        Raises :class:`InvalidInput` naming the first problem; ``errors`` lists all of them.
        """
        parser = _Parser(source)
        result = parser.parse(data)
        parser.raise_if_problems()
        return result


@dataclass(frozen=True, slots=True)
class _Problem:
    key: str
    params: dict[str, str]


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[_Problem] = []
        self.days: dict[date, OverrideDay] = {}
        self.origin: dict[date, str] = {}
        self.years: dict[int, OverrideYear] = {}

    def problem(self, key: str, entry: str, **params: object) -> None:
        values = {name: str(value) for name, value in params.items()}
        self.problems.append(_Problem(key, {"file": self.source, "entry": entry, **values}))

    def raise_if_problems(self) -> None:
        if not self.problems:
            return
        first = self.problems[0]
        errors: list[dict[str, Any]] = [
            {
                "entry": p.params["entry"],
                "key": p.key,
                "params": p.params,
                "message": translate(p.key, DEFAULT_LOCALE, **p.params),
            }
            for p in self.problems
        ]
        raise InvalidInput(first.key, errors=errors, **first.params)

    def parse(self, data: object) -> CalendarOverrides:
        if data is None:
            return CalendarOverrides(source=self.source)
        if not isinstance(data, Mapping):
            self.problem("calendar.overrides.not_a_mapping", "(top)")
            return CalendarOverrides(source=self.source)
        self.unknown_fields(data, _TOP_FIELDS, "(top)")
        years = data.get("years")
        if years is None:
            years = {}
        if not isinstance(years, Mapping):
            self.problem("calendar.overrides.not_a_mapping", "years")
            years = {}
        for raw_year, block in years.items():
            self.parse_year(raw_year, block)
        return CalendarOverrides(source=self.source, days=self.days, years=self.years)

    def unknown_fields(self, data: Mapping[Any, Any], allowed: tuple[str, ...], entry: str) -> None:
        for name in data:
            if name not in allowed:
                self.problem(
                    "calendar.overrides.unknown_field",
                    entry,
                    field=name,
                    allowed=", ".join(allowed),
                )

    def parse_year(self, raw_year: object, block: object) -> None:
        entry = f"years.{raw_year}"
        year = _as_year(raw_year)
        if year is None:
            self.problem("calendar.overrides.bad_year", entry, value=raw_year)
            return
        if year in self.years:
            self.problem("calendar.overrides.duplicate_year", entry, year=year)
            return
        if block is None:
            block = {}
        if not isinstance(block, Mapping):
            self.problem("calendar.overrides.not_a_mapping", entry)
            return
        self.unknown_fields(block, _YEAR_FIELDS, entry)
        complete = block.get("complete", False)
        if not isinstance(complete, bool):
            self.problem("calendar.overrides.bad_complete", f"{entry}.complete", value=complete)
            complete = False
        notice = block.get("notice")
        if notice is not None and not isinstance(notice, str):
            self.problem("calendar.overrides.bad_text", f"{entry}.notice", value=notice)
            notice = None
        self.years[year] = OverrideYear(year=year, complete=complete, notice=notice)
        for section, items in block.items():  # file order, so a repeat is the later entry
            if section not in _SECTIONS or items is None:
                continue
            is_workday = _SECTIONS[section]
            if not isinstance(items, list):
                self.problem("calendar.overrides.not_a_list", f"{entry}.{section}")
                continue
            for position, item in enumerate(items, start=1):
                self.parse_entry(year, is_workday, item, f"{entry}.{section}[{position}]")

    def parse_entry(self, year: int, is_workday: bool, item: object, entry: str) -> None:
        if not isinstance(item, Mapping):
            self.problem("calendar.overrides.not_a_mapping", entry)
            return
        self.unknown_fields(item, _ENTRY_FIELDS, entry)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem("calendar.overrides.missing_name", entry)
            return
        days = self.entry_days(item, entry)
        if days is None:
            return
        for day in days:
            if not (day.year == year or (day.year == year - 1 and day.month == 12)):
                self.problem("calendar.overrides.outside_year", entry, value=day, year=year)
                return
        for day in days:
            if day in self.days:
                other = self.origin[day]
                self.problem("calendar.overrides.duplicate_day", entry, value=day, other=other)
                continue
            self.days[day] = OverrideDay(day, is_workday, name.strip(), year)
            self.origin[day] = entry

    def entry_days(self, item: Mapping[Any, Any], entry: str) -> list[date] | None:
        has_date = "date" in item
        if has_date and ("from" in item or "to" in item):
            self.problem("calendar.overrides.date_and_range", entry)
            return None
        if has_date:
            single = self.as_date(item["date"], entry)
            return None if single is None else [single]
        if not ("from" in item and "to" in item):
            self.problem("calendar.overrides.missing_date", entry)
            return None
        return self.range_days(item["from"], item["to"], entry)

    def range_days(self, raw_first: object, raw_last: object, entry: str) -> list[date] | None:
        first = self.as_date(raw_first, entry)
        last = self.as_date(raw_last, entry)
        if first is None or last is None:
            return None
        length = (last - first).days + 1
        if length < 1:
            self.problem("calendar.overrides.range_reversed", entry, start=first, end=last)
            return None
        if length > MAX_RANGE_DAYS:
            self.problem(
                "calendar.overrides.range_too_long", entry, days=length, max=MAX_RANGE_DAYS
            )
            return None
        return [first + timedelta(days=offset) for offset in range(length)]

    def as_date(self, value: object, entry: str) -> date | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem("calendar.overrides.bad_date", entry, value=value)
        return None


def _as_year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    else:
        return None
    return year if 1949 <= year <= 9999 else None
