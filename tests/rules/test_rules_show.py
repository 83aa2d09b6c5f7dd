"""How values are shown in explanations and messages (``explanation.show``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onething.rules.run.explanation import show


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.2000000000"), "0.20"),  # a rate of scale 10: down to the cent, not below
        (Decimal("0.0550000000"), "0.055"),  # digits beyond the cent are kept
        (Decimal("12.000"), "12.00"),
        (Decimal("1234.5"), "1234.5"),  # never more places than the value has
        (Decimal("1234.50"), "1234.50"),
        (Decimal("1.2300"), "1.23"),
        (Decimal("0E-10"), "0.00"),
        (Decimal("-0.00"), "-0.00"),
        (Decimal("-3.1000"), "-3.10"),
        (Decimal("12"), "12"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.333333333333333333"), "0.333333333333333333"),
        (None, "NULL"),
        (True, "true"),
        (False, "false"),
        (date(2025, 6, 30), "2025-06-30"),
        (7, "7"),
        ("济南", "济南"),
    ],
)
def test_values_are_shown_as_a_clerk_reads_them(value: object, shown: str) -> None:
    assert show(value) == shown
