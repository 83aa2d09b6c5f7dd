"""失业保险稳岗返还: the variables of content/packs/job_stabilisation_refund.yaml in OpenFisca.

Inputs are the enterprise's register entries (size, labour dispatch, closing date) and its
monthly series (unemployment-insurance contributions, enrolments, separations), prepared
from the registry by ``compare/openfisca_inputs.py``. Results are computed for the month
of the run date (``2025-06``); the run date is that month's last day.
"""

# OpenFisca names a variable after its class (lower_snake) and passes the entity as the
# first argument of a formula.
# ruff: noqa: N801, N805

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import ETERNITY, MONTH, Period
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from compare.openfisca_shandong.entities import ENTERPRISE

Array = np.ndarray[Any, Any]


class Size(Enum):
    micro = "微型"
    small = "小型"
    medium = "中型"
    large = "大型"


# -- inputs -------------------------------------------------------------------------------


class size(Variable):
    value_type = Enum
    possible_values = Size
    default_value = Size.micro
    entity = ENTERPRISE
    definition_period = ETERNITY
    label = "企业规模（登记）"


class labour_dispatch(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = ETERNITY
    label = "劳务派遣单位"


class closed_on(Variable):
    value_type = date
    default_value = date(9999, 12, 31)
    entity = ENTERPRISE
    definition_period = ETERNITY
    label = "注销日期（未注销为 9999-12-31）"


class contributed(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "该月有失业保险缴费记录（费款所属期）"


class paid(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "该月所属期实际缴纳的失业保险费（分，不含补缴）"


class insured_in_month(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "该月任意一天有效的失业保险职工参保登记数"


class insured_at_month_end(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "月末有效的失业保险职工参保登记数"


class separations_in_month(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "该月非本人意愿离职人数（辞退、合同到期不续、单位关闭）"


# -- formulas -----------------------------------------------------------------------------


def _as_of(period: Period) -> np.datetime64:
    """The run date: the last day of the month computed."""
    return np.datetime64(period.stop.date, "D")


class contribution_months(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "截至上年末累计缴纳失业保险费月数"

    def formula(enterprise, period, parameters):
        year_start = period.this_year.start
        known = enterprise.get_holder("contributed").get_known_periods()
        months = [p for p in known if p.start < year_start]
        total = np.zeros(enterprise.count, dtype=np.int32)
        for month in months:
            total += enterprise("contributed", month)
        return total


class insured_person_months(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "上年失业保险参保人月数"

    def formula(enterprise, period, parameters):
        return enterprise("insured_in_month", period.last_year, options=[ADD])


class separations(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "上年非本人意愿离职人数"

    def formula(enterprise, period, parameters):
        return enterprise("separations_in_month", period.last_year, options=[ADD])


class paid_last_year(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "上年实际缴纳失业保险费（分，不含补缴）"

    def formula(enterprise, period, parameters):
        return enterprise("paid", period.last_year, options=[ADD])


class headcount_prev_year_end(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "上年末参保人数"

    def formula(enterprise, period, parameters):
        return enterprise("insured_at_month_end", period.this_year.last_month)


class headcount_before_prev_year_end(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "前年末参保人数"

    def formula(enterprise, period, parameters):
        return enterprise("insured_at_month_end", period.last_year.last_month)


def _layoff_rate(enterprise: Any, period: Period, parameters: Any) -> Array:
    """The layoff rate in float64 (the method is a parameter)."""
    p = parameters(period).job_stabilisation
    if p.layoff_rate_method == "net_reduction":
        before = enterprise("headcount_before_prev_year_end", period).astype(np.float64)
        after = enterprise("headcount_prev_year_end", period)
        lost = np.maximum(before - after, 0)
        return np.divide(lost, before, out=np.zeros_like(before), where=before != 0)
    months = enterprise("insured_person_months", period).astype(np.float64)
    left = enterprise("separations", period) * 12.0
    return np.divide(left, months, out=np.zeros_like(months), where=months != 0)


class layoff_rate(Variable):
    value_type = float
    entity = ENTERPRISE
    definition_period = MONTH
    label = "上年裁员率（仅供显示：float32）"

    def formula(enterprise, period, parameters):
        return _layoff_rate(enterprise, period, parameters)


class small_staff(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "参保职工 30 人及以下（上年月均）"

    def formula(enterprise, period, parameters):
        limit = parameters(period).job_stabilisation.small_headcount
        return enterprise("insured_person_months", period) <= limit * 12


class within_layoff_limit(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "裁员率不高于适用的上限"

    def formula(enterprise, period, parameters):
        p = parameters(period).job_stabilisation
        limit = np.where(
            enterprise("small_staff", period), p.max_layoff_rate_small, p.max_layoff_rate
        )
        return _layoff_rate(enterprise, period, parameters) <= limit


class large_enterprise(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "按大型企业返还"

    def formula(enterprise, period, parameters):
        p = parameters(period).job_stabilisation
        if p.size_by_headcount:
            return enterprise("insured_person_months", period) >= p.large_headcount * 12
        return enterprise("size", period) == Size.large


class deregistered(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "运行日已注销"

    def formula(enterprise, period, parameters):
        return enterprise("closed_on", period) <= _as_of(period)


class qualifies(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "缴费满月数、裁员率不超上限且未注销"

    def formula(enterprise, period, parameters):
        p = parameters(period).job_stabilisation
        return (
            (enterprise("contribution_months", period) >= p.min_contribution_months)
            & enterprise("within_layoff_limit", period)
            & np.logical_not(enterprise("deregistered", period))
        )


class refund_eligible(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "符合失业保险稳岗返还条件"

    def formula(enterprise, period, parameters):
        return (
            enterprise("qualifies", period)
            & (enterprise("paid_last_year", period) > 0)
            & np.logical_not(enterprise("labour_dispatch", period))
        )


class refund_ratio_basis_points(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "返还比例（万分之）"

    def formula(enterprise, period, parameters):
        p = parameters(period).job_stabilisation
        large = round(p.refund_ratio_large * 10_000)
        sme = round(p.refund_ratio_sme * 10_000)
        return np.where(enterprise("large_enterprise", period), large, sme)


class refund_amount(Variable):
    value_type = int
    entity = ENTERPRISE
    definition_period = MONTH
    label = "返还金额（分）：上年实际缴纳 × 返还比例，四舍五入到分"

    def formula(enterprise, period, parameters):
        paid = enterprise("paid_last_year", period).astype(np.int64)
        ratio = enterprise("refund_ratio_basis_points", period).astype(np.int64)
        amount = (paid * ratio + 5_000) // 10_000  # paid >= 0: half away from zero
        return np.where(enterprise("refund_eligible", period), amount, 0)


class dispatch_must_apply(Variable):
    value_type = bool
    entity = ENTERPRISE
    definition_period = MONTH
    label = "劳务派遣单位须自行申请稳岗返还"

    def formula(enterprise, period, parameters):
        return enterprise("qualifies", period) & enterprise("labour_dispatch", period)


VARIABLES = (
    size,
    labour_dispatch,
    closed_on,
    contributed,
    paid,
    insured_in_month,
    insured_at_month_end,
    separations_in_month,
    contribution_months,
    insured_person_months,
    separations,
    paid_last_year,
    headcount_prev_year_end,
    headcount_before_prev_year_end,
    layoff_rate,
    small_staff,
    within_layoff_limit,
    large_enterprise,
    deregistered,
    qualifies,
    refund_eligible,
    refund_ratio_basis_points,
    refund_amount,
    dispatch_must_apply,
)
"""The variables of the system (inputs first)."""
