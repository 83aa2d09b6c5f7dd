"""What an import found wrong: one :class:`ImportProblem` per bad file, column or cell.

A problem names the file, the row as a person sees it in that file, the field, the value
and a reason code (a message key, or an identifier-check code from :mod:`onething.kit.ids`),
so a clerk can open the file and fix it. Row numbers:

- CSV: the line number in the file, the header being line 1 (the first data row is line 2);
- Parquet: the record number, the first record being 1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from onething.kit.i18n import DEFAULT_LOCALE, translate

FileFormat = Literal["csv", "parquet"]

MAX_LISTED = 1000
"""How many problems an import lists; the total is always counted."""


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem found in the source of an import.

    ``reason`` is a message key (``registry.import.dangling_ref``) or the code of an
    identifier check (``id.bad_check_digit``); ``params`` fill its message. ``row`` is
    ``None`` for a problem with a whole file or column.
    """

    file: str
    fmt: FileFormat | None
    reason: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False)
    detail: Callable[[str], str] | None = dataclasses.field(default=None, hash=False, compare=False)

    def where(self, locale: str = DEFAULT_LOCALE) -> str:
        if self.row is None:
            return translate("registry.import.where_file", locale, file=self.file)
        key = "registry.import.where_csv" if self.fmt == "csv" else "registry.import.where_parquet"
        return translate(key, locale, file=self.file, row=self.row)

    def reason_text(self, locale: str = DEFAULT_LOCALE) -> str:
        if self.detail is not None:
            return translate(
                "registry.import.bad_identifier",
                locale,
                value=self.value,
                detail=self.detail(locale),
            )
        params = dict(self.params)
        if "other_row" in params:
            params["other"] = self._row_words(int(params["other_row"]), locale)
        return translate(self.reason, locale, value=self.value, field=self.field, **params)

    def _row_words(self, row: int, locale: str) -> str:
        key = "registry.import.row_csv" if self.fmt == "csv" else "registry.import.row_parquet"
        return translate(key, locale, row=row)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        """The whole problem in one sentence: where, which field, what is wrong."""
        if self.field is None:
            return translate(
                "registry.import.problem_file",
                locale,
                where=self.where(locale),
                reason=self.reason_text(locale),
            )
        return translate(
            "registry.import.problem",
            locale,
            where=self.where(locale),
            field=self.field,
            reason=self.reason_text(locale),
        )

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        """The JSON form listed in ``InvalidInput.errors``."""
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
            "message": self.message(locale),
        }


class ProblemLog:
    """Collects problems: lists the first ``cap`` (in the order found), counts them all."""

    def __init__(self, cap: int = MAX_LISTED) -> None:
        self.cap = cap
        self.listed: list[ImportProblem] = []
        self.count = 0

    @property
    def room(self) -> int:
        """How many more problems will be listed."""
        return max(self.cap - len(self.listed), 0)

    def add(self, problem: ImportProblem) -> None:
        self.count += 1
        if len(self.listed) < self.cap:
            self.listed.append(problem)

    def add_counted(self, total: int, listed: Iterable[ImportProblem]) -> None:
        """Record ``total`` problems of which ``listed`` (at most :attr:`room`) are shown."""
        shown = list(listed)[: self.room]
        self.listed.extend(shown)
        self.count += max(total, len(shown))

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[ImportProblem]:
        """Listed problems by file, then row (whole-file problems first)."""
        return sorted(
            self.listed,
            key=lambda p: (p.file, -1 if p.row is None else p.row, p.field or ""),
        )


Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` while a long operation runs (CLI progress bars)."""
