"""Unified social credit codes (统一社会信用代码, GB 32100-2015) and organisation codes (GB 11714).

Eighteen characters from a 31-character alphabet (no I, O, S, V, Z):

=========  ==========================================================================
position   meaning
=========  ==========================================================================
1          registration authority (登记管理部门): 1 机构编制 … 9 工商 (market regulation) …
2          organisation type (机构类别), which depends on position 1
3–8        the authority's administrative-division code (GB/T 2260; 100000 = national)
9–17       the subject identifier: the old organisation code (GB 11714), whose 9th
           character (position 17) is its own MOD 11 check
18         the check character: ``(31 − Σ Cᵢ·3^(i−1) mod 31) mod 31``
=========  ==========================================================================

The authority / type table follows the standard as quoted in FACTS §1.2 (ddrv.cn); the
GB 11714 weights ``3 7 9 10 5 8 4 2`` and ``C9 = 11 − Σ mod 11`` (10 → X, 11 → 0) are those
of GB 11714-1997 §2.1.2 (text on zh.wikisource).
"""

from __future__ import annotations

from dataclasses import dataclass

from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.kit.ids._text import clean
from onething.kit.ids.reasons import Check, Reason, error, warning
from onething.kit.ids.regions import NATIONAL_CODE, AreaStatus, area_status

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100, valued 0–30 in this order."""
CREDIT_CODE_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)

AUTHORITY_ORG_TYPES: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
    "3": frozenset("123459"),  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委, 其他
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他: always 1
}
"""Registration authority (position 1) → the organisation types (position 2) it may use."""

_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_ORG_CODE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class CreditCodeCheck(Check):
    """The result of :func:`validate_credit_code`, with the parts of the code."""

    authority: str | None = None
    org_type: str | None = None
    area_code: str | None = None
    area_status: AreaStatus = "unknown"
    org_code: str | None = None

    def authority_name(self, locale: str = DEFAULT_LOCALE) -> str | None:
        """The registration authority in words (``工商``), if the code names a known one."""
        if self.authority not in AUTHORITY_ORG_TYPES:
            return None
        return translate(f"uscc.authority.{self.authority}", locale)

    def org_type_name(self, locale: str = DEFAULT_LOCALE) -> str | None:
        """The organisation type in words (``企业``), if the combination is a known one."""
        if self.authority is None or self.org_type is None:
            return None
        if self.org_type not in AUTHORITY_ORG_TYPES.get(self.authority, frozenset()):
            return None
        return translate(f"uscc.org_type.{self.authority}{self.org_type}", locale)


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body.

    Characters are valued 0–9 and A=10 … Z=35.
    """
    if len(body8) != 8 or any(c not in _ORG_CODE_CHARS for c in body8):
        raise ValueError(f"expected 8 digits or upper-case letters, got {body8!r}")
    remainder = sum(int(c, 36) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)) % 11
    value = 11 - remainder
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"expected 17 characters of {CREDIT_CODE_ALPHABET}, got {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> CreditCodeCheck:
    """Check a unified social credit code and split it into its parts.

    Errors: ``uscc.bad_length``, ``uscc.bad_characters`` (these two stop the check),
    ``uscc.bad_authority``, ``uscc.bad_area_code``, ``uscc.bad_org_code_check``,
    ``uscc.bad_check_digit``. Warning: ``uscc.unknown_area``. Lower-case letters,
    full-width characters, spaces and hyphens in the input are tolerated.
    """
    text = clean(value)
    if len(text) != 18:
        return CreditCodeCheck(value, (error("uscc.bad_length", length=len(text)),), None)
    for index, char in enumerate(text):
        if char not in _VALUE:
            reason = error("uscc.bad_characters", position=index + 1, char=char)
            return CreditCodeCheck(value, (reason,), None)

    reasons: list[Reason] = []
    authority, org_type, area_code, org_code = text[0], text[1], text[2:8], text[8:17]
    if org_type not in AUTHORITY_ORG_TYPES.get(authority, frozenset()):
        reasons.append(error("uscc.bad_authority", authority=authority, org_type=org_type))

    status: AreaStatus = "unknown"
    if not area_code.isdigit():
        reasons.append(error("uscc.bad_area_code", area_code=area_code))
    else:
        status = "current" if area_code == NATIONAL_CODE else area_status(area_code)
        if status == "unknown":
            reasons.append(warning("uscc.unknown_area", area_code=area_code))

    expected_org = org_code_check_char(org_code[:8])
    if org_code[8] != expected_org:
        reasons.append(error("uscc.bad_org_code_check", expected=expected_org, got=org_code[8]))

    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        reasons.append(error("uscc.bad_check_digit", expected=expected, got=text[17]))

    return CreditCodeCheck(
        value,
        tuple(reasons),
        text,
        authority=authority,
        org_type=org_type,
        area_code=area_code,
        area_status=status,
        org_code=org_code,
    )


def is_valid_credit_code(value: str) -> bool:
    """True when :func:`validate_credit_code` finds no error (warnings are fine)."""
    return validate_credit_code(value).ok


def make_credit_code(
    area_code: str, org_body8: str, authority: str = "9", org_type: str = "1"
) -> str:
    """A checksum-valid (fictitious) credit code.

    ``org_body8`` is the 8-character body of the organisation code (digits and letters of
    the credit-code alphabet); its GB 11714 check character (position 17) and the final
    check character are computed.
    """
    if org_type not in AUTHORITY_ORG_TYPES.get(authority, frozenset()):
        raise ValueError(f"authority {authority!r} has no organisation type {org_type!r}")
    if len(area_code) != 6 or not area_code.isascii() or not area_code.isdigit():
        raise ValueError(f"area code must be six digits, got {area_code!r}")
    if len(org_body8) != 8 or any(c not in _VALUE for c in org_body8):
        raise ValueError(f"organisation body must be 8 characters of the alphabet: {org_body8!r}")
    first17 = authority + org_type + area_code + org_body8 + org_code_check_char(org_body8)
    return first17 + credit_code_check_char(first17)
