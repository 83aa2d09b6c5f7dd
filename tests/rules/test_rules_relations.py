"""Relations: ``aggregate.on`` over several columns, aggregates over another entity of the
pack, composite keys, and single-entity checks pushed through those joins.

Every test runs on DuckDB and PostgreSQL (the ``engine`` fixture). Expected figures are
computed here from the hand-written rows with plain Python, never read from the compiler.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlglot
from rules_support import PACKS, Engine, enterprise_row, pack_of
from sqlglot import exp

from onething.kit.ids import make_credit_code, make_resident_id
from onething.rules import RulesError, compile_pack, load_pack

D = Decimal
AS_OF = date(2025, 6, 30)
PACK = load_pack(PACKS / "relations_test.yaml")

A = make_resident_id("370102", date(1985, 3, 1), 11)  # left X, then a job at Y, uninsured
B = make_resident_id("370211", date(1990, 7, 9), 12)  # a job that ended on a payment's 1st day
C = make_resident_id("370303", date(1970, 1, 2), 21)  # no job, no payment
F = make_resident_id("370102", date(1975, 5, 5), 32)  # employed and insured at X
X = make_credit_code("370102", "MA3C0101")
Y = make_credit_code("370211", "MA3C0102")


def person_row(pid: str, region: str) -> dict[str, Any]:
    return {
        "person_id": pid,
        "name": "张三",
        "sex": "M",
        "birth_date": date(1980, 1, 1),
        "hukou_region": region,
    }


SPELLS = [
    {
        "spell_id": 1,
        "person_id": A,
        "enterprise_id": X,
        "start_date": date(2020, 1, 1),
        "end_date": date(2024, 12, 31),
        "end_reason": "contract_end",
    },
    {"spell_id": 2, "person_id": A, "enterprise_id": Y, "start_date": date(2025, 2, 15)},
    {
        "spell_id": 3,
        "person_id": B,
        "enterprise_id": X,
        "start_date": date(2019, 1, 1),
        "end_date": date(2025, 1, 1),
        "end_reason": "resigned",
    },
    {"spell_id": 4, "person_id": F, "enterprise_id": X, "start_date": date(2010, 1, 1)},
]


def contribution(pid: str, eid: str | None, month: date, scheme: str = "pension") -> dict[str, Any]:
    return {
        "person_id": pid,
        "enterprise_id": eid,
        "scheme": scheme,
        "period": month,
        "base": D("5000.00"),
        "employer_amount": D("800.00"),
        "employee_amount": D("400.00"),
        "paid_on": month,
        "back_payment": False,
    }


CONTRIBUTIONS = [
    *(contribution(A, X, date(2024, m, 1)) for m in range(1, 13)),
    *(contribution(F, X, date(2025, m, 1)) for m in range(1, 7)),
    contribution(F, X, date(2025, 1, 1), scheme="medical"),  # same person, employer, month
    contribution(A, Y, date(2025, 3, 1), scheme="injury"),  # not pension: Y stays uninsured
    *(contribution(B, X, date(2024, m, 1)) for m in range(1, 13)),
    contribution(C, None, date(2025, 1, 1)),  # flexible employment: no employer
]


def payment(pid: str, pid_n: int, benefit: str, month: date, amount: str) -> dict[str, Any]:
    return {
        "payment_id": pid_n,
        "award_id": pid_n,
        "person_id": pid,
        "benefit": benefit,
        "region_code": "370102",
        "period": month,
        "amount": D(amount),
        "paid_on": month + timedelta(days=9),
    }


PAYMENTS = [
    payment(A, 1, "unemployment", date(2025, 1, 1), "1890.00"),
    payment(A, 2, "unemployment", date(2025, 2, 1), "1890.00"),  # at Y from Feb 15
    payment(A, 3, "unemployment", date(2025, 3, 1), "1890.55"),
    payment(B, 4, "unemployment", date(2025, 1, 1), "1500.10"),  # spell ended Jan 1: overlaps
    payment(B, 5, "unemployment", date(2025, 2, 1), "1500.10"),
    payment(B, 6, "pension", date(2025, 1, 1), "3000.00"),  # not unemployment
]


def fill(engine: Engine) -> None:
    engine.insert(
        "persons",
        [
            person_row(A, "370102"),
            person_row(B, "370211"),
            person_row(C, "370303"),
            person_row(F, "370102"),
        ],
    )
    engine.insert("enterprises", [enterprise_row(X), enterprise_row(Y, region_code="370211")])
    engine.insert("employment_spells", SPELLS)
    engine.insert("contributions", CONTRIBUTIONS)
    engine.insert("benefit_payments", PAYMENTS)


# -- the expected figures, from the rows ------------------------------------------------


def _active(spell: dict[str, Any], day: date) -> bool:
    return spell["start_date"] <= day and (
        spell.get("end_date") is None or spell["end_date"] >= day
    )


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def expected(min_paid: Decimal = D(0)) -> dict[str, tuple[int, int, Decimal]]:
    """Person → (jobs without pension, payments while employed, their sum)."""
    out = {}
    for pid in (A, B, C, F):
        uninsured = sum(
            1
            for s in SPELLS
            if s["person_id"] == pid
            and _active(s, AS_OF)
            and not any(
                c["person_id"] == pid
                and c["enterprise_id"] == s["enterprise_id"]
                and c["scheme"] == "pension"
                for c in CONTRIBUTIONS
            )
        )
        overlapping = [
            p
            for p in PAYMENTS
            if p["person_id"] == pid
            and p["benefit"] == "unemployment"
            and p["amount"] >= min_paid
            and any(
                s["person_id"] == pid
                and s["start_date"] <= _month_end(p["period"])
                and (s.get("end_date") is None or s["end_date"] >= p["period"])
                for s in SPELLS
            )
        ]
        out[pid] = (uninsured, len(overlapping), sum((p["amount"] for p in overlapping), D(0)))
    return out


def _figures(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int, Decimal]]:
    return {
        r["entity_id"]: (
            r["jobs_without_pension"],
            r["payments_while_employed"],
            r["paid_while_employed"],
        )
        for r in rows
    }


# -- aggregates over another entity ----------------------------------------------------


def test_aggregates_over_other_entities_and_two_column_joins(engine: Engine) -> None:
    fill(engine)
    rows = engine.rows(compile_pack(PACK, AS_OF))
    want = expected()
    assert want[A] == (1, 2, D("3780.55"))  # the hand check of the Python reference
    assert want[B] == (0, 1, D("1500.10"))
    assert want[F] == (0, 0, D(0))
    assert _figures(rows) == want
    hits = {
        (r["entity_id"], r["benefit_while_employed__amount"])
        for r in rows
        if r["benefit_while_employed__hit"]
    }
    assert hits == {(A, D("3780.55")), (B, D("1500.10"))}
    assert {r["entity_id"] for r in rows if r["uninsured_job__hit"]} == {A}


def test_other_entities_read_parameters_per_scenario(engine: Engine) -> None:
    fill(engine)
    scenarios = {"base": {}, "high": {"min_paid": "1890.01"}}
    rows = engine.rows(compile_pack(PACK, AS_OF, scenarios=scenarios))
    base = _figures([r for r in rows if r["scenario"] == "base"])
    high = _figures([r for r in rows if r["scenario"] == "high"])
    assert base == expected()
    assert high == expected(D("1890.01"))
    assert high[A] == (1, 1, D("1890.55"))


def test_a_single_entity_check_pushes_the_key_through_every_join(engine: Engine) -> None:
    fill(engine)
    compiled = compile_pack(PACK, AS_OF, entity_ids=[A])
    tree = sqlglot.parse_one(compiled.sql("duckdb"), read="duckdb")
    for cte in tree.find_all(exp.CTE):
        scans = [
            t
            for t in cte.this.find_all(exp.Table)
            if t.name in ("persons", "employment_spells", "contributions", "benefit_payments")
            and t.find_ancestor(exp.Subquery) is None
        ]
        if not scans:
            continue
        where = cte.this.args.get("where")
        assert where is not None, cte.alias
        keys = [
            i
            for i in where.find_all(exp.In)
            if i.this.name == "person_id" and [e.name for e in i.expressions] == [A]
        ]
        assert keys, f"{cte.alias} does not filter on the person"
    single = engine.rows(compiled)
    full = engine.rows(compile_pack(PACK, AS_OF))
    assert single == [r for r in full if r["entity_id"] == A]


def test_a_join_to_a_computed_variable_is_made_in_its_layer(engine: Engine) -> None:
    fill(engine)
    pack = pack_of(
        entity="person",
        variables={
            "employer": {
                "title": "最早入职的在职单位",
                "aggregate": {
                    "table": "employment_spells",
                    "on": "person_id",
                    "where": "start_date <= as_of AND (end_date IS NULL OR end_date >= as_of)",
                    "value": "min(enterprise_id)",
                },
            },
            "months_at_employer": {
                "aggregate": {
                    "table": "contributions",
                    "on": {"person_id": "person_id", "enterprise_id": "employer"},
                    "value": "count(DISTINCT period)",
                    "default": 0,
                }
            },
        },
    )
    rows = {r["entity_id"]: r for r in engine.rows(compile_pack(pack, AS_OF))}
    employer = min(s["enterprise_id"] for s in SPELLS if s["person_id"] == A and _active(s, AS_OF))
    months = {
        c["period"] for c in CONTRIBUTIONS if c["person_id"] == A and c["enterprise_id"] == employer
    }
    assert rows[A]["employer"] == employer
    assert rows[A]["months_at_employer"] == len(months) > 0
    assert rows[B]["employer"] is None
    assert rows[B]["months_at_employer"] == 0  # no employer: no row joins, the default


def test_a_composite_key_names_one_row(engine: Engine) -> None:
    """Contributions are named by four columns, one of them nullable."""
    fill(engine)
    pack = pack_of(
        entity="contribution",
        entities={
            "contribution": {
                "table": "contributions",
                "key": ["person_id", "enterprise_id", "scheme", "period"],
            }
        },
        variables={
            "enterprise_id": {"column": "enterprise_id"},
            "period": {"column": "period"},
            "period_end": {"expr": "add_days(add_months(period, 1), -1)"},
            "spells_in_month": {
                "aggregate": {
                    "table": "employment_spells",
                    "on": {"person_id": "entity_id", "enterprise_id": "enterprise_id"},
                    "where": "start_date <= period_end "
                    "AND (end_date IS NULL OR end_date >= period)",
                    "value": "count(*)",
                    "default": 0,
                }
            },
            "persons_known": {
                "aggregate": {
                    "table": "persons",
                    "on": "person_id",
                    "where": "birth_date < period",
                    "value": "count(*)",
                }
            },
        },
    )
    rows = engine.rows(compile_pack(pack, AS_OF))
    assert len(rows) == len(CONTRIBUTIONS)
    got = {(r["entity_id"], r["enterprise_id"], r["period"]): r for r in rows}
    for c in CONTRIBUTIONS:
        row = got[(c["person_id"], c["enterprise_id"], c["period"])]
        want = sum(
            1
            for s in SPELLS
            if s["person_id"] == c["person_id"]
            and s["enterprise_id"] == c["enterprise_id"]
            and s["start_date"] <= _month_end(c["period"])
            and (s.get("end_date") is None or s["end_date"] >= c["period"])
        )
        assert row["spells_in_month"] == want, c
        assert row["persons_known"] == 1, c  # the NULL employer row joins back too


# -- what the compiler refuses ---------------------------------------------------------


def _problems(pack: Any) -> list[tuple[str, str]]:
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    return [(p.where, p.message("en")) for p in caught.value.problems]


def test_bad_joins_are_reported_where_they_are() -> None:
    pack = pack_of(
        entity="person",
        variables={
            "a": {
                "aggregate": {
                    "table": "contributions",
                    "on": {"person_idd": "person_id", "enterprise_id": "employerr"},
                    "value": "count(*)",
                }
            },
            "employer": {"expr": "'x'"},
        },
    )
    assert _problems(pack) == [
        (
            "variables.a.aggregate.on.person_idd",
            "variables.a.aggregate.on.person_idd: table contributions has no column "
            "'person_idd'; did you mean 'person_id'?",
        ),
        (
            "variables.a.aggregate.on.enterprise_id",
            "variables.a.aggregate.on.enterprise_id: 'employerr' is not a variable or the key "
            "of entity person; did you mean 'employer'?",
        ),
    ]
    typed = pack_of(
        entity="person",
        variables={
            "age": {"expr": "age(DATE '1980-01-01', as_of)"},
            "a": {
                "aggregate": {
                    "table": "contributions",
                    "on": {"person_id": "person_id", "enterprise_id": "age"},
                    "value": "count(*)",
                }
            },
        },
    )
    assert _problems(typed) == [
        (
            "variables.a.aggregate.on",
            "variables.a.aggregate.on: enterprise_id is text, but age is int; "
            "they cannot be joined",
        )
    ]


def test_other_entities_are_checked() -> None:
    base: dict[str, Any] = {
        "payment": {
            "table": "benefit_payments",
            "key": "payment_id",
            "variables": {"person_id": {"column": "person_id"}},
        }
    }
    unknown = pack_of(
        entity="person",
        entities=base,
        variables={
            "n": {"aggregate": {"entity": "paymnt", "on": "person_id", "value": "count(*)"}},
            "m": {"aggregate": {"entity": "payment", "on": "persn_id", "value": "count(*)"}},
        },
    )
    assert [m for _, m in _problems(unknown)] == [
        "variables.n.aggregate.entity: unknown entity 'paymnt'; did you mean 'payment'?; "
        "declare it under entities:",
        "variables.m.aggregate.on: entity payment has no variable 'persn_id'; "
        "did you mean 'person_id'?",
    ]
    not_unique = pack_of(
        entity="contribution",
        entities={"contribution": {"table": "contributions", "key": "person_id"}},
    )
    assert _problems(not_unique) == [
        (
            "entities.contribution.key",
            "entities.contribution.key: the key (person_id) does not name one row of "
            "contributions; it must include person_id, enterprise_id, scheme, period",
        )
    ]
    own = pack_of(
        entity="person",
        entities={
            "person": {"table": "persons", "key": "person_id", "variables": {"x": {"expr": "1"}}}
        },
    )
    assert _problems(own)[0][0] == "entities.person.variables"


def test_entities_aggregating_over_each_other_in_a_cycle_are_an_error() -> None:
    pack = pack_of(
        entity="person",
        entities={
            "payment": {
                "table": "benefit_payments",
                "key": "payment_id",
                "variables": {
                    "person_id": {"column": "person_id"},
                    "payee_flagged": {
                        "aggregate": {
                            "entity": "person",
                            "on": {"flagged": "person_id"},
                            "value": "count(*)",
                        }
                    },
                },
            }
        },
        variables={
            "flagged": {"expr": "TRUE"},
            "payments": {
                "aggregate": {"entity": "payment", "on": "person_id", "value": "count(*)"}
            },
        },
    )
    [(where, message)] = _problems(pack)
    assert where == "entities.payment.variables.payee_flagged.aggregate.entity"
    assert message.endswith(
        "entities aggregate over each other in a cycle: person → payment → person"
    )


def test_the_manifest_lists_the_other_entities_and_what_rules_read() -> None:
    manifest = compile_pack(PACK, AS_OF).manifest
    assert set(manifest.others) == {"spell", "payment"}
    payment = manifest.others["payment"]
    assert (payment.table, payment.keys) == ("benefit_payments", ("payment_id",))
    assert payment.variables["spells_in_month"].variables == ("period_end", "period", "person_id")
    assert manifest.rules["benefit_while_employed"].parameters == ("min_paid",)
    assert manifest.variables["paid_while_employed"].kind == "aggregate"
