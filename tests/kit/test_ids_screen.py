"""The vectorised credit-code screen agrees with the scalar check it stands in for."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from onething.kit.ids import (
    CREDIT_CODE_ALPHABET,
    credit_codes_plausible,
    make_credit_codes,
    shandong_county_codes,
    validate_credit_code,
)

VECTORS = [
    "91350100M000100Y43",
    "914403001922038216",
    "9144030071526726XG",
    "91330100799655058B",
    "91110108551385082Q",
    "91110000600037341L",
]


def _scalar(code: str) -> bool:
    check = validate_credit_code(code)
    return check.ok and check.normalized == code


def test_known_good_codes_pass_the_screen() -> None:
    assert credit_codes_plausible(VECTORS).all()


def test_generated_codes_pass_and_every_single_change_is_caught() -> None:
    rng = np.random.default_rng(3)
    areas = rng.choice(np.array(shandong_county_codes(), dtype=np.int64), size=2000)
    codes = make_credit_codes(areas, rng.integers(0, 10**8, size=2000))
    assert credit_codes_plausible(codes).all()
    mutated = []
    for code in codes[:300]:
        pos = int(rng.integers(0, 18))
        other = [c for c in CREDIT_CODE_ALPHABET if c != code[pos]]
        mutated.append(code[:pos] + other[int(rng.integers(0, len(other)))] + code[pos + 1 :])
    screened = credit_codes_plausible(mutated)
    assert list(screened) == [_scalar(m) for m in mutated]


alphabet = st.sampled_from(CREDIT_CODE_ALPHABET + "IOSVZa-ｘ 中")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet, min_size=16, max_size=19), min_size=1, max_size=20))
def test_screen_never_passes_what_the_scalar_check_rejects(codes: list[str]) -> None:
    screened = credit_codes_plausible(codes)
    for code, passed in zip(codes, screened, strict=True):
        if passed:
            assert _scalar(code), code


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(CREDIT_CODE_ALPHABET), min_size=17, max_size=17))
def test_screen_equals_the_scalar_check_on_well_formed_text(first17: str) -> None:
    from onething.kit.ids import credit_code_check_char

    code = first17 + credit_code_check_char(first17)
    assert bool(credit_codes_plausible([code])[0]) == _scalar(code)
