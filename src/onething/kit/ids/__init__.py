"""Chinese identifiers: validation with precise reasons, generation, masking.

- Resident identity numbers (公民身份号码, GB 11643-1999), the legacy 15-digit form and the
  foreigner's permanent-residence number (2023): :func:`validate_resident_id`.
- Unified social credit codes (统一社会信用代码, GB 32100-2015) with the embedded GB 11714
  organisation code: :func:`validate_credit_code`.
- Mobile numbers: :func:`validate_mobile`.

Each ``validate_*`` returns a frozen result whose ``reasons`` say what is wrong (errors) or
worth knowing (warnings), each with a message key in ``data/i18n/<locale>/ids.yaml``:

>>> check = validate_resident_id("370102199003071230")
>>> check.ok, check.codes
(False, ('id.bad_check_digit',))
>>> check.reasons[0].message("en")
'The check character should be 8, not 0'

Generators make checksum-valid fictitious identifiers, one at a time
(:func:`make_resident_id`) or a million at a time with NumPy (:func:`make_resident_ids`).
Masking functions hide what a screen should not show (:func:`mask_resident_id`).
"""

from onething.kit.ids.credit import (
    AUTHORITY_ORG_TYPES,
    CREDIT_CODE_ALPHABET,
    CreditCodeCheck,
    credit_code_check_char,
    is_valid_credit_code,
    make_credit_code,
    org_code_check_char,
    validate_credit_code,
)
from onething.kit.ids.masking import (
    mask_credit_code,
    mask_middle,
    mask_mobile,
    mask_name,
    mask_resident_id,
)
from onething.kit.ids.mobile import (
    MOBILE_PREFIXES,
    MobileCheck,
    is_valid_mobile,
    make_mobile,
    validate_mobile,
)
from onething.kit.ids.reasons import REASON_CODES, Check, Reason, Severity
from onething.kit.ids.regions import (
    AreaStatus,
    HistoricalArea,
    area_name,
    area_status,
    historical_area,
    is_development_zone,
    shandong_county_codes,
)
from onething.kit.ids.resident import (
    IdCheck,
    Sex,
    is_valid_resident_id,
    make_resident_id,
    resident_id_15_to_18,
    resident_id_check_digit,
    resident_id_check_digit_fast,
    validate_resident_id,
)
from onething.kit.ids.vectorized import (
    credit_codes_plausible,
    make_credit_codes,
    make_mobiles,
    make_resident_ids,
    resident_id_check_digits,
    resident_id_check_values,
    valid_birth_dates,
)

__all__ = [
    "AUTHORITY_ORG_TYPES",
    "CREDIT_CODE_ALPHABET",
    "MOBILE_PREFIXES",
    "REASON_CODES",
    "AreaStatus",
    "Check",
    "CreditCodeCheck",
    "HistoricalArea",
    "IdCheck",
    "MobileCheck",
    "Reason",
    "Severity",
    "Sex",
    "area_name",
    "area_status",
    "credit_code_check_char",
    "credit_codes_plausible",
    "historical_area",
    "is_development_zone",
    "is_valid_credit_code",
    "is_valid_mobile",
    "is_valid_resident_id",
    "make_credit_code",
    "make_credit_codes",
    "make_mobile",
    "make_mobiles",
    "make_resident_id",
    "make_resident_ids",
    "mask_credit_code",
    "mask_middle",
    "mask_mobile",
    "mask_name",
    "mask_resident_id",
    "org_code_check_char",
    "resident_id_15_to_18",
    "resident_id_check_digit",
    "resident_id_check_digit_fast",
    "resident_id_check_digits",
    "resident_id_check_values",
    "shandong_county_codes",
    "valid_birth_dates",
    "validate_credit_code",
    "validate_mobile",
    "validate_resident_id",
]
