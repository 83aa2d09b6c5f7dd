"""Chinese identifiers: resident IDs, credit codes, mobiles — checks, generators, masking."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from onething.kit.errors import InvalidInput
from onething.kit.i18n import LOCALES, catalog, translate
from onething.kit.ids import (
    AUTHORITY_ORG_TYPES,
    CREDIT_CODE_ALPHABET,
    MOBILE_PREFIXES,
    REASON_CODES,
    area_name,
    area_status,
    credit_code_check_char,
    historical_area,
    is_development_zone,
    is_valid_credit_code,
    is_valid_mobile,
    is_valid_resident_id,
    make_credit_code,
    make_credit_codes,
    make_mobile,
    make_mobiles,
    make_resident_id,
    make_resident_ids,
    mask_credit_code,
    mask_middle,
    mask_mobile,
    mask_name,
    mask_resident_id,
    org_code_check_char,
    resident_id_15_to_18,
    resident_id_check_digit,
    resident_id_check_digit_fast,
    resident_id_check_digits,
    resident_id_check_values,
    shandong_county_codes,
    valid_birth_dates,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

TODAY = date(2025, 6, 30)
ID_CHARS = "0123456789X"

counties = st.sampled_from(shandong_county_codes())
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
seqs = st.integers(min_value=0, max_value=999)
digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
authority_types = st.sampled_from(
    [(a, t) for a, types in sorted(AUTHORITY_ORG_TYPES.items()) for t in sorted(types)]
)
org_bodies = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8)


def with_check(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def with_credit_checks(first16: str) -> str:
    """A credit code with a correct GB 11714 character (17th) and check character (18th)."""
    first17 = first16 + org_code_check_char(first16[8:16])
    return first17 + credit_code_check_char(first17)


# --- resident identity numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "sex", "status"),
    [
        ("11010519491231002X", "F", "current"),  # GB 11643 examples
        ("440524188001010014", "M", "current"),
        ("34052419800101001X", "M", "current"),
        ("370102199003071238", "M", "current"),  # 济南历下
        ("371202198501010026", "F", "historical"),  # 莱芜 3712, abolished 2019
        ("370211199212314568", "F", "current"),  # 青岛黄岛
    ],
)
def test_sample_ids_from_facts_validate(number: str, sex: str, status: str) -> None:
    check = validate_resident_id(number, today=TODAY)
    assert check.ok
    assert check.reasons == ()
    assert check.normalized == number
    assert check.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert check.sex == sex
    assert check.area_code == number[:6]
    assert check.area_status == status
    assert not check.is_foreigner
    assert not check.is_legacy15
    assert is_valid_resident_id(number, today=TODAY)


@given(digits17)
def test_arithmetic_check_digit_equals_digit_by_digit(first17: str) -> None:
    assert resident_id_check_digit_fast(first17) == resident_id_check_digit(first17)


@pytest.mark.parametrize("bad", ["", "1234567890123456", "12345678901234567X", "１２３"])
def test_check_digit_functions_refuse_anything_but_17_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        resident_id_check_digit(bad)
    with pytest.raises(ValueError, match="17 ASCII digits"):
        resident_id_check_digit_fast(bad)


@given(counties, births, seqs)
def test_every_generated_id_validates_and_carries_its_facts(
    area: str, birth: date, seq: int
) -> None:
    number = make_resident_id(area, birth, seq)
    check = validate_resident_id(number, today=TODAY)
    assert check.ok, check.codes
    assert check.reasons == ()
    assert check.normalized == number
    assert check.birth_date == birth
    assert check.sex == ("M" if seq % 2 else "F")
    assert check.area_code == area
    assert check.area_status == "current"


@settings(max_examples=300)
@given(counties, births, seqs, st.data())
def test_changing_any_single_character_is_detected(
    area: str, birth: date, seq: int, data: st.DataObject
) -> None:
    number = make_resident_id(area, birth, seq)
    position = data.draw(st.integers(0, 17), label="position")
    replacement = data.draw(st.sampled_from(ID_CHARS.replace(number[position], "")))
    changed = number[:position] + replacement + number[position + 1 :]
    check = validate_resident_id(changed, today=TODAY)
    assert not check.ok
    assert set(check.codes) <= REASON_CODES
    if position == 17 or replacement != "X":
        # MOD 11-2 catches every single substitution: each weight is non-zero modulo 11
        assert "id.bad_check_digit" in check.codes
    else:
        assert check.codes == ("id.bad_characters",)


@given(counties, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), seqs)
def test_legacy_15_digit_numbers_convert_to_18(area: str, birth: date, seq: int) -> None:
    legacy = make_resident_id(area, birth, seq, legacy15=True)
    modern = make_resident_id(area, birth, seq)
    assert len(legacy) == 15
    assert legacy == modern[:6] + modern[8:17]
    assert resident_id_15_to_18(legacy) == modern
    check = validate_resident_id(legacy, today=TODAY)
    assert check.ok
    assert check.is_legacy15
    assert check.normalized == modern
    assert check.birth_date == birth
    assert check.sex == ("M" if seq % 2 else "F")


def test_legacy_conversion_refuses_other_lengths() -> None:
    with pytest.raises(ValueError, match="15-digit"):
        resident_id_15_to_18("370102199003071238")
    with pytest.raises(ValueError, match="1900–1999"):
        make_resident_id("370102", date(2001, 1, 1), 1, legacy15=True)


@given(st.text("0123456789", min_size=5, max_size=5), births, seqs)
def test_foreigner_permanent_residence_numbers(middle: str, birth: date, seq: int) -> None:
    number = with_check(f"9{middle}{birth:%Y%m%d}{seq:03d}")
    check = validate_resident_id(number, today=TODAY)
    assert check.ok
    assert check.is_foreigner
    assert check.area_code is None
    assert check.reasons == ()  # no area warning: the first six digits are no GB/T 2260 code
    assert check.birth_date == birth
    wrong = number[:17] + ID_CHARS.replace(number[17], "")[0]
    assert validate_resident_id(wrong, today=TODAY).codes == ("id.bad_check_digit",)


def test_historical_area_code_is_accepted_and_explained() -> None:
    check = validate_resident_id("371202198501010026", today=TODAY)
    assert check.ok
    assert check.area_status == "historical"
    assert check.warnings == ()
    assert area_name("371202") == "莱城区"
    (period,) = historical_area("371202")
    assert period.until == 2018
    assert period.successors == ("370116",)
    # a 1980s prefecture code (惠民地区 惠民县) is historical too
    assert validate_resident_id(with_check("37232119700101001"), today=TODAY).area_status == (
        "historical"
    )


def test_unknown_and_development_zone_area_codes_are_warnings_only() -> None:
    unknown = validate_resident_id(with_check("37019919900101001"), today=TODAY)
    assert unknown.ok
    assert unknown.area_status == "unknown"
    assert unknown.codes == ("id.unknown_area",)
    assert unknown.warnings[0].params == {"area_code": "370199"}

    zone = validate_resident_id(with_check("37017619900101001"), today=TODAY)
    assert zone.ok
    assert zone.area_status == "unknown"
    assert zone.codes == ("id.development_zone_area",)

    nowhere = validate_resident_id(with_check("05010219900101001"), today=TODAY)
    assert nowhere.codes == ("id.unknown_area",)


def test_other_provinces_are_judged_by_their_prefix() -> None:
    assert area_status("110105") == "current"
    assert area_status("820000") == "current"
    assert area_status("990101") == "unknown"
    assert area_status("37012") == "unknown"


@pytest.mark.parametrize("yyyymmdd", ["19900230", "19901301", "19900001", "19000229", "19900100"])
def test_impossible_birth_dates_are_rejected(yyyymmdd: str) -> None:
    check = validate_resident_id(with_check(f"370102{yyyymmdd}123"), today=TODAY)
    assert check.codes == ("id.bad_date",)
    assert check.reasons[0].params == {"date": yyyymmdd}
    assert check.birth_date is None


def test_leap_day_is_a_real_date() -> None:
    assert validate_resident_id(with_check("37010220000229123"), today=TODAY).ok


def test_future_birth_is_rejected() -> None:
    tomorrow = TODAY + timedelta(days=1)
    future = make_resident_id("370102", tomorrow, 123)
    check = validate_resident_id(future, today=TODAY)
    assert check.codes == ("id.future_date",)
    assert check.reasons[0].params == {"date": tomorrow.isoformat()}
    assert validate_resident_id(future, today=tomorrow).ok
    assert validate_resident_id(make_resident_id("370102", date(1700, 1, 1), 1)).codes == (
        "id.bad_date",
    )


@pytest.mark.parametrize(("number", "length"), [("", 0), ("3701021990030712", 16), ("1" * 19, 19)])
def test_wrong_length_is_the_only_reason(number: str, length: int) -> None:
    check = validate_resident_id(number)
    assert check.codes == ("id.bad_length",)
    assert check.reasons[0].params == {"length": length}
    assert check.normalized is None


@pytest.mark.parametrize(
    ("number", "position", "char"),
    [
        ("37010219900307123A", 18, "A"),
        ("3701021990X3071238", 11, "X"),
        ("37010290030712X", 15, "X"),  # no check character in the 15-digit form
    ],
)
def test_bad_characters_name_the_position(number: str, position: int, char: str) -> None:
    check = validate_resident_id(number)
    assert check.codes == ("id.bad_characters",)
    assert check.reasons[0].params == {"position": position, "char": char}


def test_typed_forms_are_normalised() -> None:
    assert validate_resident_id("11010519491231002x").normalized == "11010519491231002X"
    assert validate_resident_id(" 370102 19900307 1238 ").normalized == "370102199003071238"
    assert validate_resident_id("３７０１０２１９９００３０７１２３８").ok


def test_wrong_check_digit_says_what_was_expected() -> None:
    check = validate_resident_id("370102199003071239", today=TODAY)
    assert check.codes == ("id.bad_check_digit",)
    assert check.reasons[0].params == {"expected": "8", "got": "9"}
    assert check.birth_date == date(1990, 3, 7)  # facts are still read
    assert "8" in check.reasons[0].message("zh-CN")
    assert check.reasons[0].message("en") == "The check character should be 8, not 9"


def test_generator_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="six digits"):
        make_resident_id("3701", date(1990, 1, 1), 1)
    with pytest.raises(ValueError, match=r"0\.\.999"):
        make_resident_id("370102", date(1990, 1, 1), 1000)


# --- unified social credit codes ----------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the standard's worked example
        "914403001922038216",
        "9144030071526726XG",
        "91330100799655058B",
        "91110108551385082Q",
        "91110000600037341L",
    ],
)
def test_credit_code_vectors_validate(code: str) -> None:
    check = validate_credit_code(code)
    assert check.ok
    assert check.reasons == ()
    assert check.normalized == code
    assert (check.authority, check.org_type) == (code[0], code[1])
    assert check.area_code == code[2:8]
    assert check.org_code == code[8:17]
    assert check.area_status == "current"
    assert check.authority_name("zh-CN") == "工商（市场监管）"
    assert check.org_type_name("zh-CN") == "企业"
    assert credit_code_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]
    assert is_valid_credit_code(code.lower())


@given(counties, org_bodies, authority_types)
def test_every_generated_credit_code_validates(
    area: str, body: str, authority_type: tuple[str, str]
) -> None:
    authority, org_type = authority_type
    code = make_credit_code(area, body, authority, org_type)
    check = validate_credit_code(code)
    assert check.ok, check.codes
    assert check.reasons == ()
    assert code[:16] == authority + org_type + area + body
    assert check.org_type_name("en") is not None


@settings(max_examples=300)
@given(counties, org_bodies, authority_types, st.data())
def test_changing_any_single_credit_code_character_is_detected(
    area: str, body: str, authority_type: tuple[str, str], data: st.DataObject
) -> None:
    code = make_credit_code(area, body, *authority_type)
    position = data.draw(st.integers(0, 17), label="position")
    replacement = data.draw(
        st.sampled_from((CREDIT_CODE_ALPHABET + "IOSVZ").replace(code[position], ""))
    )
    changed = code[:position] + replacement + code[position + 1 :]
    check = validate_credit_code(changed)
    assert not check.ok
    assert set(check.codes) <= REASON_CODES


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_excluded_letters_are_bad_characters(letter: str) -> None:
    code = "91370102MA3C4X7B" + letter + "Q"
    check = validate_credit_code(code)
    assert check.codes == ("uscc.bad_characters",)
    assert check.reasons[0].params == {"position": 17, "char": letter}


def test_each_credit_code_reason_stands_alone() -> None:
    assert validate_credit_code("9137010").codes == ("uscc.bad_length",)
    bad_pair = validate_credit_code(with_credit_checks("94370102MA3C4X7B"))
    assert bad_pair.codes == ("uscc.bad_authority",)
    assert bad_pair.reasons[0].params == {"authority": "9", "org_type": "4"}
    assert validate_credit_code(with_credit_checks("B1370102MA3C4X7B")).codes == (
        "uscc.bad_authority",
    )
    bad_area = validate_credit_code(with_credit_checks("9137A102MA3C4X7B"))
    assert bad_area.codes == ("uscc.bad_area_code",)
    unknown = validate_credit_code(with_credit_checks("91990102MA3C4X7B"))
    assert unknown.ok
    assert unknown.codes == ("uscc.unknown_area",)
    assert validate_credit_code(with_credit_checks("91100000MA3C4X7B")).codes == ()

    good = make_credit_code("370102", "MA3C4X7B")
    wrong_org = next(c for c in "0123456789X" if c != good[16])
    first17 = good[:16] + wrong_org
    org_only = validate_credit_code(first17 + credit_code_check_char(first17))
    assert org_only.codes == ("uscc.bad_org_code_check",)
    assert org_only.reasons[0].params == {"expected": good[16], "got": wrong_org}

    wrong_check = next(c for c in CREDIT_CODE_ALPHABET if c != good[17])
    last_only = validate_credit_code(good[:17] + wrong_check)
    assert last_only.codes == ("uscc.bad_check_digit",)
    assert last_only.reasons[0].params == {"expected": good[17], "got": wrong_check}


def test_credit_code_generator_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="organisation type"):
        make_credit_code("370102", "MA3C4X7B", "9", "4")
    with pytest.raises(ValueError, match="six digits"):
        make_credit_code("37010", "MA3C4X7B")
    with pytest.raises(ValueError, match="8 characters"):
        make_credit_code("370102", "MA3C4X7S")
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char("91370102MA3C4X7BI")
    with pytest.raises(ValueError, match="8 digits or upper-case"):
        org_code_check_char("ma3c4x7b")


# --- mobile numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["13812341234", "+8613812341234", "86 138 1234 1234", "0086-138-1234-1234"]
)
def test_mobile_forms_normalise_to_eleven_digits(typed: str) -> None:
    check = validate_mobile(typed)
    assert check.ok
    assert check.normalized == "13812341234"


@pytest.mark.parametrize(
    "bad", ["", "1381234123", "138123412345", "12812341234", "23812341234", "1381234123a"]
)
def test_malformed_mobiles_are_rejected(bad: str) -> None:
    check = validate_mobile(bad)
    assert check.codes == ("mobile.bad_format",)
    assert check.normalized is None
    assert not is_valid_mobile(bad)


@given(st.integers(min_value=0))
def test_generated_mobiles_are_valid_and_reproducible(seed: int) -> None:
    for rng_a, rng_b in [
        (random.Random(seed), random.Random(seed)),
        (np.random.default_rng(seed), np.random.default_rng(seed)),
    ]:
        number = make_mobile(rng_a)
        assert number == make_mobile(rng_b)
        assert validate_mobile(number).normalized == number
        assert number[:3] in MOBILE_PREFIXES


# --- vectorised generators ----------------------------------------------------------------


def _random_people(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[date]]:
    rng = np.random.default_rng(seed)
    areas = rng.choice(np.array(shandong_county_codes(), dtype=np.int64), size=n)
    offsets = rng.integers(0, (TODAY - date(1900, 1, 1)).days, size=n)
    birth_dates = [date(1900, 1, 1) + timedelta(days=int(o)) for o in offsets]
    yyyymmdd = np.array([int(f"{d:%Y%m%d}") for d in birth_dates], dtype=np.int64)
    return areas, yyyymmdd, rng.integers(0, 1000, size=n), birth_dates


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_vectorised_ids_equal_the_scalar_ones(seed: int) -> None:
    areas, yyyymmdd, seq, birth_dates = _random_people(seed, 500)
    ids = make_resident_ids(areas, yyyymmdd, seq)
    assert ids.dtype == np.dtype("<U18")
    expected = [
        make_resident_id(str(a), b, int(s)) for a, b, s in zip(areas, birth_dates, seq, strict=True)
    ]
    assert ids.tolist() == expected
    first17 = areas * 10**11 + yyyymmdd * 1000 + seq
    assert resident_id_check_digits(first17).tolist() == [i[17] for i in expected]
    values = resident_id_check_values(first17)
    assert ["X" if v == 10 else str(v) for v in values] == [i[17] for i in expected]


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), authority_types)
def test_vectorised_credit_codes_equal_the_scalar_ones(
    seed: int, authority_type: tuple[str, str]
) -> None:
    rng = np.random.default_rng(seed)
    areas = rng.choice(np.array(shandong_county_codes(), dtype=np.int64), size=300)
    bodies = rng.integers(0, 10**8, size=300)
    codes = make_credit_codes(areas, bodies, *authority_type)
    expected = [
        make_credit_code(str(a), f"{b:08d}", *authority_type)
        for a, b in zip(areas, bodies, strict=True)
    ]
    assert codes.tolist() == expected
    assert all(validate_credit_code(c).ok for c in codes[:50])


def test_vectorised_generators_broadcast_and_keep_shape() -> None:
    ids = make_resident_ids(np.array([[370102], [371202]]), np.array([19900307, 20000229]), 7)
    assert ids.shape == (2, 2)
    assert all(validate_resident_id(str(i), today=TODAY).ok for i in ids.ravel())
    codes = make_credit_codes(370102, np.arange(5))
    assert codes.shape == (5,)
    assert len(set(codes.tolist())) == 5


def test_vectorised_mobiles_are_valid_and_reproducible() -> None:
    numbers = make_mobiles(np.random.default_rng(7), 2000)
    assert numbers.dtype == np.dtype("<U11")
    assert numbers.tolist() == make_mobiles(np.random.default_rng(7), 2000).tolist()
    assert all(validate_mobile(str(n)).normalized == n for n in numbers)
    assert {str(n)[:3] for n in numbers} <= set(MOBILE_PREFIXES)
    assert len(set(numbers.tolist())) > 1990


def test_vectorised_generators_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match=r"birth_yyyymmdd\[1\] = 19900230"):
        make_resident_ids([370102, 370102], [19900101, 19900230], [1, 2])
    with pytest.raises(ValueError, match=r"seqs\[0\] = 1000"):
        make_resident_ids([370102], [19900101], [1000])
    with pytest.raises(ValueError, match="area_codes"):
        make_resident_ids([3701020], [19900101], [1])
    with pytest.raises(TypeError, match="integer array"):
        make_resident_ids([370102.0], [19900101], [1])
    with pytest.raises(ValueError, match="first17"):
        resident_id_check_digits([-1])
    with pytest.raises(ValueError, match="org_bodies"):
        make_credit_codes([370102], [10**8])
    with pytest.raises(ValueError, match="organisation type"):
        make_credit_codes([370102], [1], "Y", "2")


def test_vectorised_date_check_knows_leap_years() -> None:
    values = [19000229, 20000229, 19990229, 20240229, 21000229, 20240230, 20241231, 20241232]
    expected = [False, True, False, True, False, False, True, False]
    assert valid_birth_dates(values).tolist() == expected


@given(st.lists(st.integers(min_value=17000101, max_value=100001231), min_size=1, max_size=50))
def test_vectorised_date_check_agrees_with_the_calendar(values: list[int]) -> None:
    def real(v: int) -> bool:
        try:
            return date(v // 10000, v // 100 % 100, v % 100) >= date(1800, 1, 1)
        except ValueError:
            return False

    assert valid_birth_dates(np.array(values)).tolist() == [real(v) for v in values]


# --- regions ------------------------------------------------------------------------------


def test_county_codes_for_generation_are_current_and_never_development_zones() -> None:
    codes = shandong_county_codes()
    assert len(codes) == 136
    assert all(area_status(c) == "current" and not is_development_zone(c) for c in codes)
    assert "370116" in codes  # 莱芜区 (2019) is current
    assert "371202" not in codes
    assert is_development_zone("370176")
    assert not is_development_zone("370702")  # 潍城区: a 7 in the city part is fine


def test_historical_codes_are_never_current() -> None:
    for code in ["370181", "370205", "370284", "371200", "371523", "372100", "379020"]:
        assert area_status(code) == "historical"
        assert historical_area(code)
        assert area_name(code) == historical_area(code)[0].name
    assert historical_area("370102") == ()
    assert area_name("370102") == "历下区"
    assert area_name("370199") is None


# --- masking ------------------------------------------------------------------------------


def test_masking_examples() -> None:
    assert mask_resident_id("370102199003071238") == "3701**********1238"
    assert mask_resident_id("37010219900307123x") == "3701**********123X"
    assert mask_resident_id("370102900307123") == "3701*******7123"
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_mobile("+86 138 1234 1234") == "138****1234"
    assert mask_credit_code("91110108551385082Q") == "91110108********2Q"
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("欧阳") == "欧*"
    assert mask_name("买买提·艾力") == "买**·**"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_name("李") == "*"
    assert mask_name("  ") == ""
    assert mask_middle("1234", 2, 2) == "****"


@given(counties, births, seqs)
def test_masked_ids_keep_length_and_hide_the_birth_date(area: str, birth: date, seq: int) -> None:
    number = make_resident_id(area, birth, seq)
    masked = mask_resident_id(number)
    assert len(masked) == len(number)
    assert masked[:4] == number[:4]
    assert masked[-4:] == number[-4:]
    assert set(masked[4:14]) == {"*"}


@given(st.text(max_size=30))
def test_masking_never_reveals_more_than_the_rule(text: str) -> None:
    for mask, keep in [(mask_resident_id, 8), (mask_credit_code, 10)]:
        masked = mask(text)
        assert sum(c != "*" for c in masked) <= keep


# --- messages -----------------------------------------------------------------------------


def _ids_yaml(locale: str) -> dict[str, str]:
    from importlib import resources

    path = resources.files("onething") / "data" / "i18n" / locale / "ids.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(_ids_yaml("zh-CN")) == set(_ids_yaml("en"))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_reason_code_has_a_message(locale: str) -> None:
    messages = catalog(locale)
    for code in sorted(REASON_CODES):
        assert code in messages, code
    for key in ["id.invalid", "uscc.invalid", "mobile.invalid"]:
        assert key in messages
    for authority, types in AUTHORITY_ORG_TYPES.items():
        assert f"uscc.authority.{authority}" in messages
        for org_type in types:
            assert f"uscc.org_type.{authority}{org_type}" in messages


@pytest.mark.parametrize("locale", LOCALES)
def test_reported_reasons_render_without_placeholders(locale: str) -> None:
    checks = [
        validate_resident_id(""),
        validate_resident_id("37010219900307123A"),
        validate_resident_id(with_check("37010219900230123")),
        validate_resident_id(make_resident_id("370102", TODAY + timedelta(days=1), 1), today=TODAY),
        validate_resident_id("370102199003071239"),
        validate_resident_id(with_check("37019919900101001")),
        validate_resident_id(with_check("37017619900101001")),
        validate_credit_code("9"),
        validate_credit_code("91370102MA3C4X7BIQ"),
        validate_credit_code(with_credit_checks("94370102MA3C4X7B")),
        validate_credit_code(with_credit_checks("9137A102MA3C4X7B")),
        validate_credit_code(with_credit_checks("91990102MA3C4X7B")),
        validate_credit_code("91370102MA3C4X7B0Q"),
        validate_credit_code("91370102MA3C4X7BX0"),
        validate_mobile("12"),
    ]
    seen = set()
    for check in checks:
        for reason in check.reasons:
            seen.add(reason.code)
            text = reason.message(locale)
            assert text != reason.code
            assert "{" not in text
            assert all(str(v) in text for v in reason.params.values())
    assert seen == REASON_CODES


def test_raise_for_errors_gives_a_typed_error_with_items() -> None:
    validate_resident_id("370102199003071238").raise_for_errors()  # valid: nothing raised
    validate_resident_id(with_check("37019919900101001")).raise_for_errors()  # warnings only
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id("370102199003071239").raise_for_errors("id_number")
    error = caught.value
    assert error.key == "id.invalid"
    assert error.status == 422
    assert error.message("zh-CN") == translate("id.invalid", "zh-CN")
    (item,) = error.errors
    assert item["code"] == "id.bad_check_digit"
    assert item["field"] == "id_number"
    assert item["params"] == {"expected": "8", "got": "9"}
    with pytest.raises(InvalidInput) as caught_code:
        validate_credit_code("x").raise_for_errors()
    assert caught_code.value.key == "uscc.invalid"
