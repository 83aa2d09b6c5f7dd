"""The translation layer: every text a person reads comes from a message catalog.

Catalogs are YAML files under ``onething/data/i18n/<locale>/*.yaml``, one per area
(``errors.yaml``, ``ids.yaml`` …), each a flat mapping of message key to text with
``str.format`` placeholders. Simplified Chinese (``zh-CN``) is the default locale;
English (``en``) is kept complete for engineers and logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

DEFAULT_LOCALE = "zh-CN"
LOCALES = ("zh-CN", "en")


@cache
def catalog(locale: str) -> Mapping[str, str]:
    """All messages of ``locale``, merged from its YAML files (keys must be unique)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    merged: dict[str, str] = {}
    folder = resources.files("onething") / "data" / "i18n" / locale
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        for key, text in data.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice in locale {locale}")
            merged[str(key)] = str(text)
    return merged


def translate(key: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The text of ``key`` in ``locale`` with ``params`` filled in.

    An unknown key returns the key itself, so a missing translation is visible, never a crash.
    """
    text = catalog(locale).get(key) or catalog(DEFAULT_LOCALE).get(key)
    if text is None:
        return key
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def negotiate(accept_language: str | None) -> str:
    """Pick a supported locale from an HTTP ``Accept-Language`` header (zh-CN by default)."""
    if not accept_language:
        return DEFAULT_LOCALE
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-CN"
    return DEFAULT_LOCALE


t = translate
