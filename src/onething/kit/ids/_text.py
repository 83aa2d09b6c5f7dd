"""Input clean-up shared by the checks: what people type is not what the standard writes."""

from __future__ import annotations

import unicodedata

_SEPARATORS = str.maketrans("", "", " \t\r\n-_")


def clean(value: str) -> str:
    """Fold full-width characters (``３７０１…``, ``ｘ``) to ASCII, drop spaces and hyphens,
    and upper-case letters."""
    return unicodedata.normalize("NFKC", value).translate(_SEPARATORS).upper()
