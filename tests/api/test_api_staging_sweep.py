"""Upload staging files left by a killed process are removed when the app starts; files
still being written, stored blobs and anything else are left alone."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from api_support import tiny_pdf, tiny_png
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from onething.cases import MaterialStore
from onething.channels.api import create_app
from onething.channels.api.housekeeping import staging_folder, sweep_staging
from onething.config import Settings

TWO_HOURS = 2 * 3600


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _stage(store: MaterialStore, content: bytes) -> Path:
    """A file left in staging as an upload killed after reading it would leave it."""
    return store.stage([content], max_bytes=1024 * 1024).path


def test_the_app_removes_old_staging_files_at_start(settings: Settings) -> None:
    store = MaterialStore(settings.uploads_path)
    left = _stage(store, tiny_pdf("killed mid-upload"))
    _age(left, TWO_HOURS)
    young = _stage(store, tiny_pdf("still being written"))
    _age(young, 60)
    blob = store.keep(store.stage([tiny_png()], max_bytes=1024 * 1024))
    _age(blob, TWO_HOURS)
    stranger = staging_folder(store) / "README"
    stranger.write_text("not an upload")
    _age(stranger, TWO_HOURS)
    assert left.parent == young.parent == staging_folder(store)

    app = create_app(settings)
    with capture_logs() as logs, TestClient(app):
        pass
    app.state.engine.dispose()

    assert not left.exists()
    assert young.exists()
    assert blob.is_file()
    assert stranger.exists()
    removed = [e for e in logs if e["event"] == "upload staging file removed"]
    assert [e["path"] for e in removed] == [str(left)]
    assert removed[0]["bytes"] == len(tiny_pdf("killed mid-upload"))


def test_sweep_reports_what_it_removed(tmp_path: Path) -> None:
    store = MaterialStore(tmp_path / "uploads")
    assert sweep_staging(store) == [], "no staging folder yet: nothing to do"
    old = [_stage(store, tiny_pdf(str(n))) for n in range(3)]
    for n, path in enumerate(old):
        _age(path, TWO_HOURS + n * 600)
    fresh = _stage(store, tiny_pdf("fresh"))

    swept = sweep_staging(store, older_than=timedelta(hours=1))

    assert sorted(s.path for s in swept) == sorted(old)
    assert all(s.age >= timedelta(hours=2) for s in swept)
    assert {s.size for s in swept} == {len(tiny_pdf("0"))}
    assert fresh.exists()
    # a shorter limit takes the fresh one too; a second sweep finds nothing more
    assert [s.path for s in sweep_staging(store, older_than=timedelta(0), now=time.time() + 1)] == [
        fresh
    ]
    assert sweep_staging(store, older_than=timedelta(0)) == []
