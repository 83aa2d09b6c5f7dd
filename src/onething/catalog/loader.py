"""Read the catalog folder (YAML) into a validated :class:`Catalog`, cached.

Layout of a catalog folder::

    departments.yaml     departments: [...]
    duties.yaml          duties: [...]
    systems.yaml         systems: [...]
    data_catalogs.yaml   data_catalogs: [...]
    matters/*.yaml       matters: [...]   (one file per department), or one matter per file
    bundles/*.yaml       one bundle per file, or bundles: [...]

Loading never guesses: a YAML key written twice is an error (PyYAML would keep the last),
each item is validated on its own so one bad item does not hide the others, and every
problem carries its file and path. The shipped catalog is ``onething.content/catalog``.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from onething.catalog.checks import check_catalog
from onething.catalog.models import (
    Bundle,
    Catalog,
    CatalogModel,
    DataCatalog,
    Department,
    Duty,
    Matter,
    Origin,
    System,
)
from onething.catalog.problems import CatalogInvalid, Problem
from onething.config import get_settings

_M = TypeVar("_M", bound=CatalogModel)

_LISTS: dict[str, type[CatalogModel]] = {
    "departments": Department,
    "duties": Duty,
    "systems": System,
    "data_catalogs": DataCatalog,
}
_FOLDERS: dict[str, type[CatalogModel]] = {"matters": Matter, "bundles": Bundle}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    loader.flatten_mapping(node)
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def shipped_catalog_path() -> Path:
    """The catalog shipped with the package (``content/catalog``)."""
    return Path(str(resources.files("onething.content") / "catalog"))


def default_catalog_path() -> Path:
    """``ONETHING_CATALOG_PATH``, or the catalog shipped with the package (``content/catalog``)."""
    return get_settings().catalog_path or shipped_catalog_path()


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}"
    return out


def _read_yaml(path: Path, rel: str, problems: list[Problem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        problems.append(Problem(rel, "", "catalog.problem.yaml", {"detail": detail}))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, "", "catalog.problem.unreadable", {"detail": str(exc)}))
    return None


def _validate(model: type[_M], raw: Any, rel: str, path: str, problems: list[Problem]) -> _M | None:
    try:
        item = model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.append(
                Problem(
                    rel,
                    (path + _location(tuple(err["loc"]))).lstrip("."),
                    "catalog.problem.invalid",
                    {"detail": _reason(err), "error_type": err["type"]},
                )
            )
        return None
    _attach_origin(item, Origin(file=rel, path=path))
    return item


def _attach_origin(item: BaseModel, origin: Origin) -> None:
    """Record where ``item`` and the items inside it come from (used by the checks)."""
    if isinstance(item, CatalogModel):
        item._origin = origin
    for name in type(item).model_fields:
        value = getattr(item, name)
        if isinstance(value, BaseModel):
            _attach_origin(value, Origin(file=origin.file, path=f"{origin.path}.{name}"))
        elif isinstance(value, list):
            for i, element in enumerate(value):
                if isinstance(element, BaseModel):
                    sub = Origin(file=origin.file, path=f"{origin.path}.{name}[{i}]")
                    _attach_origin(element, sub)


def _reason(err: Any) -> str:
    """A pydantic error as a short text; the message catalog words the common types."""
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__
    if kind == "literal_error":
        return f"{shown} ∉ {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return f"{shown} !~ {ctx.get('pattern', '')}"
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "extra"
    return f"{kind}: {err['msg']} ({shown})"


def _items(data: Any, key: str, rel: str, problems: list[Problem]) -> list[tuple[str, Any]]:
    """``(path, raw item)`` pairs of list ``key`` in a file's data."""
    if data is None:
        return []
    if not isinstance(data, dict) or key not in data or len(data) != 1:
        problems.append(Problem(rel, "", "catalog.problem.shape", {"expected": f"{key}: [...]"}))
        return []
    raw = data[key]
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem(rel, key, "catalog.problem.shape", {"expected": f"{key}: [...]"}))
        return []
    return [(f"{key}[{i}]", item) for i, item in enumerate(raw)]


def _folder_items(data: Any, key: str, rel: str, problems: list[Problem]) -> list[tuple[str, Any]]:
    """A folder file holds either ``key: [...]`` or one item at the top."""
    if isinstance(data, dict) and key in data and len(data) == 1:
        return _items(data, key, rel, problems)
    if data is None:
        return []
    return [("", data)]


def read_catalog(path: Path) -> tuple[Catalog, list[Problem]]:
    """Read the folder ``path``: the catalog of every valid item and the problems found.

    The problems are those of reading and validating each item; reference checks are
    :func:`check_catalog`'s (``load_catalog`` runs both).
    """
    problems: list[Problem] = []
    found: dict[str, list[Any]] = {key: [] for key in (*_LISTS, *_FOLDERS)}
    if not path.is_dir():
        problems.append(Problem(str(path), "", "catalog.problem.no_folder", {"path": str(path)}))
        return Catalog(), problems
    for key, model in _LISTS.items():
        file = path / f"{key}.yaml"
        if not file.is_file():
            continue
        data = _read_yaml(file, file.name, problems)
        for item_path, raw in _items(data, key, file.name, problems):
            if (item := _validate(model, raw, file.name, item_path, problems)) is not None:
                found[key].append(item)
    for key, model in _FOLDERS.items():
        for file in sorted((path / key).glob("*.yaml")):
            rel = f"{key}/{file.name}"
            data = _read_yaml(file, rel, problems)
            for item_path, raw in _folder_items(data, key, rel, problems):
                if (item := _validate(model, raw, rel, item_path, problems)) is not None:
                    found[key].append(item)
    return Catalog(**found), problems


def _signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """What the cache keys on: every YAML file's name, size and modification time."""
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else []
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


@lru_cache(maxsize=8)
def _load(path: Path, signature: tuple[tuple[str, int, int], ...]) -> Catalog:
    del signature  # part of the cache key only: an edited file is read again
    catalog, problems = read_catalog(path)
    problems += check_catalog(catalog)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CatalogInvalid(errors, source=str(path))
    return catalog


def load_catalog(path: Path | str | None = None) -> Catalog:
    """The checked catalog in folder ``path`` (default: the shipped one), cached.

    Raises :class:`~onething.catalog.problems.CatalogInvalid` (an ``InvalidInput``) listing
    every error with its file and path. Warnings do not stop loading; ``check_catalog``
    lists them.
    """
    folder = Path(path) if path is not None else default_catalog_path()
    folder = folder.resolve()
    return _load(folder, _signature(folder))
