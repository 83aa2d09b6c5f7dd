"""Mainland mobile numbers: 11 digits starting with 1, optionally written with +86.

Validation uses the loose pattern ``1[3-9]`` + 9 digits (FACTS §1.5): carriers keep opening
new prefixes and numbers move between carriers, so a stricter prefix list would reject real
numbers. There is no official range of fictional numbers; generated ones use the ordinary
consumer prefixes below and must be masked when shown.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import numpy as np

from onething.kit.ids._text import clean
from onething.kit.ids.reasons import Check, error

_PATTERN = re.compile(r"1[3-9][0-9]{9}")
_PREFIXES = ("+86", "0086", "86")

MOBILE_PREFIXES: tuple[str, ...] = tuple(
    [f"13{d}" for d in range(10)]
    + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + ["166", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in (0, 1, 3, 5, 6, 7, 8, 9)]
)
"""Consumer prefixes used for generated numbers (no IoT, data-only or virtual-operator ranges)."""


@dataclass(frozen=True, slots=True)
class MobileCheck(Check):
    """The result of :func:`validate_mobile`; ``normalized`` is the bare 11 digits."""


def validate_mobile(value: str) -> MobileCheck:
    """Check a mobile number, accepting a ``+86`` / ``86`` / ``0086`` prefix, spaces and hyphens.

    Error: ``mobile.bad_format``.
    """
    text = clean(value)
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    if _PATTERN.fullmatch(text) is None:
        return MobileCheck(value, (error("mobile.bad_format"),), None)
    return MobileCheck(value, (), text)


def is_valid_mobile(value: str) -> bool:
    return validate_mobile(value).ok


def make_mobile(rng: random.Random | np.random.Generator) -> str:
    """A random (fictitious) mobile number drawn with ``rng``: never the global generator."""
    if isinstance(rng, np.random.Generator):
        prefix = MOBILE_PREFIXES[int(rng.integers(len(MOBILE_PREFIXES)))]
        rest = int(rng.integers(100_000_000))
    else:
        prefix = rng.choice(MOBILE_PREFIXES)
        rest = rng.randrange(100_000_000)
    return f"{prefix}{rest:08d}"
