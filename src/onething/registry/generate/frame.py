"""The time frame of a generated registry: its end date and the monthly history window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from onething.registry.generate.arrays import day, month_of_date, month_start

RECORDS_FROM = date(1996, 1, 1)
"""Employment spells are on record from here on (older careers are not digitised)."""

CONTRIBUTION_PAY_DAY = 15
"""Monthly contributions are collected on the 15th of the month they are for."""
PENSION_PAY_DAY = 10
"""Pensions (employee and resident) are paid on the 10th of the month."""
UNEMPLOYMENT_PAY_DAY = 20
"""Unemployment benefit is paid on the 20th of the month."""
RESIDENT_PENSION_START = date(2011, 7, 1)
"""Resident pensions (城乡居民养老保险) are paid from here on in the synthetic data."""
RESIDENT_MEDICAL_START = date(2009, 1, 1)
"""Resident medical insurance enrolments start from here on."""


@dataclass(frozen=True, slots=True)
class Frame:
    """End date and history window, as day and month numbers.

    Monthly rows (contributions, benefit payments) are written for the periods
    ``first_period .. end_month`` whose payment day is on or before the end date.
    """

    end_date: date
    history_months: int

    @property
    def end(self) -> int:
        return day(self.end_date)

    @property
    def end_month(self) -> int:
        return month_of_date(self.end_date)

    @property
    def first_period(self) -> int:
        return self.end_month - self.history_months + 1

    @property
    def first_period_day(self) -> int:
        return int(month_start(np.array([self.first_period]))[0])

    def last_period(self, pay_day: int) -> int:
        """Last month whose payment on ``pay_day`` has happened by the end date."""
        return self.end_month if self.end_date.day >= pay_day else self.end_month - 1

    @property
    def records_from(self) -> int:
        return day(RECORDS_FROM)
