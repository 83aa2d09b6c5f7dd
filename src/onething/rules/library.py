"""Where rule packs are found: by name among the shipped packs, or by path.

The shipped packs live in ``content/packs`` (installed as ``onething.content``);
``ONETHING_PACKS_PATH`` points at another folder, e.g. a province's own content.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from onething.config import get_settings
from onething.kit.errors import NotFound
from onething.rules.authoring import Pack, load_pack


def packs_dir() -> Path:
    """The folder of the packs known by name."""
    configured = get_settings().packs_path
    if configured is not None:
        return configured
    return Path(str(resources.files("onething.content") / "packs"))


def pack_names() -> list[str]:
    """Names of the packs in :func:`packs_dir`, sorted."""
    folder = packs_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def resolve_pack(ref: str | Path) -> Path:
    """The file of pack ``ref``: a path to a YAML file, or the name of a known pack."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    candidate = packs_dir() / f"{ref}.yaml"
    if candidate.is_file():
        return candidate
    names = pack_names()
    close = difflib.get_close_matches(str(ref), names, n=3)
    raise NotFound(
        "rules.pack_not_found",
        pack=str(ref),
        folder=str(packs_dir()),
        suggestions="、".join(close) if close else "、".join(names) or "—",
    )


def load(ref: str | Path) -> Pack:
    """Load pack ``ref`` (a known name or a path)."""
    return load_pack(resolve_pack(ref))
