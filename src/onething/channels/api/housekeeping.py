"""Housekeeping at app start: upload staging files left behind by a killed process.

An upload is streamed into a staging file (``ONETHING_HOME/uploads/.staging/upload-…``)
and moved to ``<2 hex>/<sha256>`` once its row is written; a refused upload removes its
staging file. A process killed in between (SIGKILL, out of memory, a power cut) leaves the
file behind, with no row pointing at it. At start each app removes the staging files
older than :data:`STAGING_MAX_AGE` — a live upload writes its file continuously and moves
it within a second of its last byte, so one that old belongs to no one (another worker
of the same server may be uploading right now: its files are young). Only regular files
named ``upload-*`` in the staging folder are looked at: a stored blob is never touched.
"""

from __future__ import annotations

import stat
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from onething.cases import MaterialStore
from onething.cases.materials import STAGING_PREFIX
from onething.kit.logging import get_logger

log = get_logger("onething.uploads")

STAGING_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Swept:
    """A staging file removed: where it was, its size, how old it was."""

    path: Path
    size: int
    age: timedelta


def staging_folder(store: MaterialStore) -> Path:
    """The folder ``store`` stages uploads in."""
    return store.staging


def sweep_staging(
    store: MaterialStore,
    *,
    older_than: timedelta = STAGING_MAX_AGE,
    now: float | None = None,
) -> list[Swept]:
    """Remove the staging files of ``store`` last written more than ``older_than`` before
    ``now`` (seconds since the epoch; default: the clock), each logged; what was removed.
    A file that vanishes meanwhile (another worker sweeping) is skipped."""
    folder = staging_folder(store)
    if not folder.is_dir():
        return []
    at = time.time() if now is None else now
    cutoff = at - older_than.total_seconds()
    removed: list[Swept] = []
    for path in sorted(folder.glob(f"{STAGING_PREFIX}*")):
        try:
            info = path.lstat()  # a symbolic link is not a regular file: left alone
            if not stat.S_ISREG(info.st_mode) or info.st_mtime > cutoff:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        age = timedelta(seconds=round(at - info.st_mtime))
        removed.append(Swept(path, info.st_size, age))
        log.info("upload staging file removed", path=str(path), bytes=info.st_size, age=str(age))
    if removed:
        log.warning(
            "upload staging files left by an interrupted upload were removed",
            folder=str(folder),
            files=len(removed),
            bytes=sum(s.size for s in removed),
        )
    return removed
