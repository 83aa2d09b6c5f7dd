"""A small pool of executors, for many short queries from many threads.

An API server checks one entity per request from worker threads. A DuckDB connection
must not run two queries at once, nor a psycopg connection; a pool hands each caller an
executor of its own (a DuckDB cursor, a PostgreSQL connection) for one query, creates
them on demand up to ``size`` and keeps them for the next caller. This module imports no
database driver: the engine modules give the factory and the error translation.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Generic, Protocol, TypeVar

from onething.rules.run.query import Executor

T = TypeVar("T")

DEFAULT_SIZE = 4
WAIT_SECONDS = 30.0
"""How long a caller waits for a free executor before the pool gives up."""


class Pool(Generic[T]):
    """Up to ``size`` resources made by ``make``, lent to one caller at a time.

    A resource whose use raised an error listed in ``broken`` is closed instead of
    being returned (a dropped connection is not lent again).
    """

    def __init__(
        self,
        make: Callable[[], T],
        close: Callable[[T], None],
        *,
        size: int = DEFAULT_SIZE,
        broken: tuple[type[BaseException], ...] = (),
    ) -> None:
        if size < 1:
            raise ValueError("a pool holds at least one resource")
        self._make = make
        self._close = close
        self._broken = broken
        self._idle: queue.LifoQueue[T] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._all: list[T] = []
        self._closed = False

    @contextmanager
    def acquire(self) -> Iterator[T]:
        """A resource for the block; waits while ``size`` are lent (``TimeoutError`` after
        :data:`WAIT_SECONDS`), ``RuntimeError`` once the pool is closed."""
        if not self._slots.acquire(timeout=WAIT_SECONDS):
            raise TimeoutError("no free executor in the pool")
        try:
            resource = self._take()
            try:
                yield resource
            except self._broken:
                self._discard(resource)
                raise
            except BaseException:
                self._idle.put(resource)
                raise
            self._idle.put(resource)
        finally:
            self._slots.release()

    def _take(self) -> T:
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is closed")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            resource = self._make()
            with self._lock:
                self._all.append(resource)
            return resource

    def _discard(self, resource: T) -> None:
        with self._lock:
            if resource in self._all:
                self._all.remove(resource)
        self._close(resource)

    def close(self) -> None:
        """Close every resource made (lent ones too: call it when no query runs)."""
        with self._lock:
            self._closed = True
            made, self._all = self._all, []
        for resource in made:
            self._close(resource)


class Executors(Protocol):
    """Executors of one engine over one source, lent one at a time (thread-safe)."""

    @property
    def engine(self) -> str:
        """The engine's name, as runs report it (``duckdb``, ``postgres``, ``spark``)."""
        ...

    def executor(self) -> AbstractContextManager[Executor]:
        """An executor for the block; engine errors in it become ``Unavailable``."""
        ...

    def close(self) -> None: ...


__all__ = ["DEFAULT_SIZE", "Executors", "Pool"]
