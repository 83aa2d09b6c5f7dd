"""Phase 2: rule text is untrusted; only whitelisted, declared things get through."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlglot
from rules_support import pack_of, param

from onething.rules import RulesError, compile_pack
from onething.rules.compile.expressions import RulesDialect
from onething.rules.compile.functions import FUNCTIONS

AS_OF = date(2025, 6, 30)

VARIABLES = {
    "months_insured": {"expr": "months_between(insured_on, as_of)"},
    "insured_on": {"column": "insured_on"},
    "size": {"column": "size"},
    "paid": {
        "aggregate": {
            "table": "contributions",
            "on": "enterprise_id",
            "value": "sum(employer_amount)",
            "default": 0,
        }
    },
}


def compile_condition(condition: str, **extra: Any) -> None:
    pack = pack_of(
        variables=VARIABLES,
        parameters={"min_months": param("int", 12)},
        rules=[
            {"id": "first", "label": "一", "condition": "TRUE"},
            {"id": "second", "label": "二", "condition": "TRUE"},
            {"id": "third", "label": "三", "condition": condition, **extra},
        ],
    )
    compile_pack(pack, AS_OF)


def refusal(condition: str) -> RulesError:
    with pytest.raises(RulesError) as caught:
        compile_condition(condition)
    return caught.value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1; DROP TABLE x", ["more than one statement", "1; DROP TABLE x"]),
        ("months_insured > 1; DROP TABLE persons", ["more than one statement"]),
        ("DROP TABLE persons", ["DROP TABLE persons", "not allowed"]),
        ("(SELECT 1)", ["subqueries are not allowed", "(SELECT 1)"]),
        ("months_insured IN (SELECT 1)", ["subqueries are not allowed"]),
        ("EXISTS (SELECT 1 FROM persons)", ["subqueries are not allowed"]),
        ("foo(months_insured) > 1", ["unknown function 'foo'", "foo(months_insured)"]),
        ("t.months_insured > 1", ["qualified name 't.months_insured'"]),
        ("persons.name = 'x'", ["qualified name 'persons.name'"]),
        ("sum(paid) OVER (PARTITION BY size) > 1", ["window functions are not allowed"]),
        ("count(*) > 1", ["aggregate count is only allowed in an aggregate variable's value"]),
        ("sqrt(paid) > 1", ["function 'sqrt' is not allowed"]),
        ("CAST(paid AS INT) > 1", ["casts are not allowed"]),
        ("paid::INT > 1", ["casts are not allowed"]),
        ("current_date > insured_on", ["function 'current_date' is not allowed"]),
        ("paid > $1", ["'$1' is not allowed"]),
        ("paid > 1e3", ["'1e3' is not a plain decimal number"]),
        ("size LIKE 'a%'", ["is not allowed"]),
        ("insured_on > DATE '2025-02-30'", ["not a valid date"]),
        ("round(paid) > round(paid, 1, 2)", ["round takes 1–2 arguments, not 3"]),
    ],
)
def test_refused_text_is_named_with_where_it_is(text: str, words: list[str]) -> None:
    error = refusal(text)
    message = error.message("en")
    assert message.startswith("rules[2].condition: ")
    for word in words:
        assert word in message, message


def test_unknown_name_suggests_the_closest_declared_one() -> None:
    pack = pack_of(
        variables={
            "months_insured": {"expr": "months_between(DATE '2020-01-31', as_of)"},
            "x": {"expr": "months_insurd + 1"},
        }
    )
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    assert caught.value.message("en") == (
        "variables.x.expr: unknown name 'months_insurd' (character 1); "
        "did you mean 'months_insured'?"
    )
    assert "是否想写“months_insured”" in caught.value.message("zh-CN")
    assert caught.value.errors[0]["where"] == "variables.x.expr"


def test_every_problem_of_the_phase_is_listed() -> None:
    pack = pack_of(
        variables={"a": {"expr": "nope + 1"}, "b": {"expr": "foo(1)"}},
        rules=[{"id": "r", "label": "r", "condition": "t.x"}],
    )
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["variables.a.expr", "variables.b.expr", "rules[0].condition"]
    assert caught.value.status == 422


def test_an_aggregate_sees_its_table_columns_first_and_refuses_bare_columns() -> None:
    variables = {
        "paid": {
            "aggregate": {"table": "contributions", "on": "enterprise_id", "value": "base + 1"}
        }
    }
    with pytest.raises(RulesError) as caught:
        compile_pack(pack_of(variables=variables), AS_OF)
    assert "'base' is outside an aggregate function" in str(caught.value)
    nested = {
        "paid": {
            "aggregate": {
                "table": "contributions",
                "on": "enterprise_id",
                "value": "sum(max(base))",
            }
        }
    }
    with pytest.raises(RulesError, match="aggregate max is inside the aggregate sum"):
        compile_pack(pack_of(variables=nested), AS_OF)
    star = {
        "n": {"aggregate": {"table": "contributions", "on": "enterprise_id", "value": "sum(*)"}}
    }
    with pytest.raises(RulesError, match=r"'\*' is only allowed in count\(\*\)"):
        compile_pack(pack_of(variables=star), AS_OF)


def test_unknown_tables_columns_and_entities_get_suggestions() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"variables": {"s": {"column": "sise"}}}, "table enterprises has no column 'sise'"),
        (
            {"variables": {"n": {"aggregate": {"table": "contribution", "on": "x", "value": "1"}}}},
            "did you mean 'contributions'?",
        ),
        (
            {
                "variables": {
                    "n": {
                        "aggregate": {
                            "table": "contributions",
                            "on": "enterprise",
                            "value": "count(*)",
                        }
                    }
                }
            },
            "did you mean 'enterprise_id'?",
        ),
        ({"entity": "enterprize"}, "unknown entity 'enterprize'; did you mean 'enterprise'?"),
    ]
    for extra, expected in cases:
        with pytest.raises(RulesError) as caught:
            compile_pack(pack_of(**extra), AS_OF)
        assert expected in caught.value.message("en")


def test_reserved_and_duplicate_names_are_refused() -> None:
    pack = pack_of(
        variables={"as_of": {"expr": "1"}, "rate": {"expr": "1"}},
        parameters={"rate": param("int")},
    )
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    messages = [p.message("en") for p in caught.value.problems]
    assert "variables.as_of: 'as_of' is a reserved name" in messages[0]
    assert "variables.rate: the name 'rate' is already declared at parameters.rate" in messages[1]
    duplicate_rules = pack_of(
        rules=[{"id": "r", "label": "a", "condition": "TRUE"}] * 2,
    )
    with pytest.raises(RulesError, match=r"rules\[1\].id: the rule id 'r' is already used"):
        compile_pack(duplicate_rules, AS_OF)


def test_message_placeholders_must_name_something_known() -> None:
    rules = [{"id": "r", "label": "r", "condition": "TRUE", "message": "{nmae} 返还 {amount} 元"}]
    with pytest.raises(RulesError) as caught:
        compile_pack(pack_of(variables={"name": {"column": "name"}}, rules=rules), AS_OF)
    assert "rules[0].message: the message names 'nmae'" in str(caught.value)
    assert "did you mean 'name'?" in str(caught.value)


def test_comments_never_reach_the_generated_sql() -> None:
    pack = pack_of(
        variables={"x": {"expr": "1 /* */ ; DROP TABLE persons; -- */ + 1"}},
    )
    with pytest.raises(RulesError, match="more than one statement"):
        compile_pack(pack, AS_OF)
    pack = pack_of(variables={"x": {"expr": "1 + /* secret */ 2 -- note"}})
    sql = compile_pack(pack, AS_OF).sql("duckdb")
    assert "secret" not in sql
    assert "note" not in sql


def test_every_whitelisted_function_parses_as_our_call() -> None:
    samples = {"count": "count(*)", "date_trunc": "date_trunc('month', d)", "div": "div(a, b)"}
    for name, signature in FUNCTIONS.items():
        args = ", ".join("x" for _ in range(signature.min_args))
        text = samples.get(name, f"{name}({args})")
        tree = sqlglot.parse_one(text, read=RulesDialect)
        assert isinstance(tree, sqlglot.exp.Anonymous), (name, type(tree))
        assert str(tree.this).lower() == name
