"""技能提升补贴: the variables of content/packs/skill_subsidy.yaml in OpenFisca.

The entity is a certificate. Inputs: the certificate's own columns, the holder's monthly
unemployment-insurance contributions (a flag per month), and what needs another table
at the certificate's issue date (an enrolment or a benefit award in force that day, the
holder's earlier certificates), prepared by ``compare/openfisca_inputs.py``. Results are
computed for the month of the run date; the run date is that month's last day.
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
from openfisca_core.variables import Variable

from compare.openfisca_shandong.entities import CERTIFICATE

Array = np.ndarray[Any, Any]


class Level(Enum):
    """In the registry's order: 初级, 中级, 高级, 技师, 高级技师 (the inputs give the index)."""

    junior = "初级工（五级）"
    intermediate = "中级工（四级）"
    senior = "高级工（三级）"
    technician = "技师（二级）"
    senior_technician = "高级技师（一级）"


# -- inputs -------------------------------------------------------------------------------


class level(Variable):
    value_type = Enum
    possible_values = Level
    default_value = Level.junior
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "证书等级"


class shortage(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "急需紧缺职业"


class issued_on(Variable):
    value_type = date
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "发证日期"


class holder_contributed(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "持证人该月有失业保险缴费记录（费款所属期，不限单位）"


class insured_at_issue(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "发证时为失业保险参保职工"


class claiming_at_issue(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "发证时正在领取失业保险金"


class same_or_higher_before(Variable):
    value_type = int
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "更早取得的同职业同级或更高等级证书数"


class earlier_this_year(Variable):
    value_type = int
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "同年更早取得的初、中、高级证书数"


class earlier_general_this_year(Variable):
    value_type = int
    entity = CERTIFICATE
    definition_period = ETERNITY
    label = "同年更早取得的非紧缺职业初、中、高级证书数"


# -- formulas -----------------------------------------------------------------------------


def _as_of(period: Period) -> np.datetime64:
    """The run date: the last day of the month computed."""
    return np.datetime64(period.stop.date, "D")


def add_months(day: Array, months: int) -> Array:
    """``day`` plus ``months`` months, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    month = day.astype("datetime64[M]")
    offset = day - month.astype("datetime64[D]")
    target = month + months
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + offset, last)


class covered_level(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "初级、中级或高级证书"

    def formula(certificate, period, parameters):
        grade = certificate("level", period)
        return (grade == Level.junior) | (grade == Level.intermediate) | (grade == Level.senior)


class insured_months(Variable):
    value_type = int
    entity = CERTIFICATE
    definition_period = MONTH
    label = "截至发证当月失业保险缴费月数"

    def formula(certificate, period, parameters):
        issued = certificate("issued_on", period)
        known = certificate.get_holder("holder_contributed").get_known_periods()
        total = np.zeros(certificate.count, dtype=np.int32)
        for month in known:
            first_day = np.datetime64(month.start.date, "D")
            total += certificate("holder_contributed", month) & (first_day <= issued)
        return total


class within_deadline(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "在申领期限内（自发证之日起）"

    def formula(certificate, period, parameters):
        months = parameters(period).skill_subsidy.apply_within_months
        issued = certificate("issued_on", period)
        as_of = _as_of(period)
        return (issued <= as_of) & (as_of <= add_months(issued, months))


class within_yearly_limit(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "未超过每年享受次数"

    def formula(certificate, period, parameters):
        p = parameters(period).skill_subsidy
        return (certificate("earlier_this_year", period) < p.yearly_limit + p.shortage_extra) & (
            certificate("shortage", period)
            | (certificate("earlier_general_this_year", period) < p.yearly_limit)
        )


class entitled(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "参保满 1 年的职工或领金人员，在申领期限内"

    def formula(certificate, period, parameters):
        p = parameters(period).skill_subsidy
        return (
            (certificate("insured_months", period) >= p.min_insured_months)
            & (certificate("insured_at_issue", period) | certificate("claiming_at_issue", period))
            & certificate("within_deadline", period)
        )


class skill_subsidy_eligible(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "符合技能提升补贴条件"

    def formula(certificate, period, parameters):
        return (
            certificate("covered_level", period)
            & certificate("entitled", period)
            & (certificate("same_or_higher_before", period) == 0)
            & certificate("within_yearly_limit", period)
        )


class subsidy_amount(Variable):
    value_type = int
    entity = CERTIFICATE
    definition_period = MONTH
    label = "补贴金额（分）"

    def formula(certificate, period, parameters):
        p = parameters(period).skill_subsidy
        cents = np.array(
            [round(a * 100) for a in (p.amount_junior, p.amount_intermediate, p.amount_senior)]
            + [0, 0]
        )
        amount = cents[np.asarray(certificate("level", period), dtype=np.intp)]
        return np.where(certificate("skill_subsidy_eligible", period), amount, 0)


class senior_level_review(Variable):
    value_type = bool
    entity = CERTIFICATE
    definition_period = MONTH
    label = "技师、高级技师证书转人工核定"

    def formula(certificate, period, parameters):
        return np.logical_not(certificate("covered_level", period)) & certificate(
            "entitled", period
        )


VARIABLES = (
    level,
    shortage,
    issued_on,
    holder_contributed,
    insured_at_issue,
    claiming_at_issue,
    same_or_higher_before,
    earlier_this_year,
    earlier_general_this_year,
    covered_level,
    insured_months,
    within_deadline,
    within_yearly_limit,
    entitled,
    skill_subsidy_eligible,
    subsidy_amount,
    senior_level_review,
)
"""The variables of the system (inputs first)."""
