"""What every command shares: the console, error rendering, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from onething.kit.errors import OneThingError
from onething.kit.i18n import t

console = Console(stderr=True)
out = Console()

ProgressFn = Callable[[str, int, int], None]


def fail(exc: OneThingError) -> NoReturn:
    """Print a typed error (and its itemised problems) and exit with status 2."""
    console.print(f"[bold red]{exc.title()}[/]: {exc.message()}")
    for item in exc.errors[:50]:
        console.print("  - " + "  ".join(f"{k}={v}" for k, v in item.items()))
    if len(exc.errors) > 50:
        console.print(t("cli.more_errors", count=len(exc.errors) - 50))
    raise typer.Exit(2)


@contextmanager
def progress_bar() -> Iterator[ProgressFn]:
    """A Rich progress bar driven by ``progress(stage, done, total)`` callbacks."""
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.completed:>12,}/{task.total:<12,}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield update
