"""Helpers for the catalog tests: a tiny catalog that each test can break in one place.

``tiny_catalog()`` returns the catalog as plain data (the YAML content); ``write_catalog``
writes it in the shipped layout. Tests mutate the data, write it and load or check it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

PLACEHOLDER = {"source": "占位值", "confidence": "placeholder", "note": "测试用"}


def _matter(code: str, department: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": code,
        "name": f"事项{code}",
        "department": department,
        "legal_limit_days": 10,
        "promised_limit_days": 5,
        "limits_source": PLACEHOLDER,
        "source": PLACEHOLDER,
        "legal_basis": PLACEHOLDER,
        "steps": [{"code": "accept", "name": "受理", "role": "clerk"}],
    }
    base.update(extra)
    return base


def tiny_catalog() -> dict[str, Any]:
    """Two departments, three matters, one bundle (m_a → m_b, m_c optional)."""
    return copy.deepcopy(
        {
            "departments": [
                {"code": "d1", "name": "甲局", "level": "city"},
                {"code": "d2", "name": "乙局", "level": "city"},
            ],
            "duties": [
                {"code": "duty1", "department": "d1", "name": "甲职责", "matters": ["m_a", "m_b"]},
                {"code": "duty2", "department": "d2", "name": "乙职责", "matters": ["m_c"]},
            ],
            "systems": [
                {
                    "code": "s1",
                    "name": "甲系统",
                    "department": "d1",
                    "matters": ["m_a", "m_b"],
                    "data_catalogs": ["dc_people"],
                },
                {"code": "s2", "name": "乙系统", "department": "d2", "matters": ["m_c"]},
            ],
            "data_catalogs": [
                {
                    "code": "dc_people",
                    "name": "人口",
                    "department": "d1",
                    "registry_table": "persons",
                    "provides": {"person.name": "name", "person.id_number": "person_id"},
                }
            ],
            "matters": {
                "d1.yaml": [
                    _matter(
                        "m_a",
                        "d1",
                        promised_limit_days=0,
                        fields=[
                            {"key": "x.name", "label": "姓名", "prefill": "person.name"},
                            {
                                "key": "x.id_number",
                                "label": "公民身份号码",
                                "type": "id_number",
                                "prefill": "person.id_number",
                            },
                            {"key": "a.only", "label": "甲专有", "required": False},
                        ],
                        materials=[
                            {"code": "id_card", "name": "居民身份证", "licenses": ["id_card"]},
                            {"code": "photo", "name": "照片"},
                        ],
                        outputs=["birth_medical_certificate", "a.number"],
                        channels={"fully_online": True, "instant": True},
                    ),
                    _matter(
                        "m_b",
                        "d1",
                        fields=[
                            {"key": "x.name", "label": "姓名"},
                            {"key": "x.id_number", "label": "身份号码", "type": "id_number"},
                            {"key": "b.number", "label": "甲编号"},
                        ],
                        materials=[
                            {"code": "id_card", "name": "居民身份证", "licenses": ["id_card"]},
                            {
                                "code": "birth_cert",
                                "name": "出生医学证明",
                                "licenses": ["birth_medical_certificate"],
                            },
                        ],
                        outputs=["b.done"],
                        channels={"cross_region": True},
                    ),
                ],
                "d2.yaml": [
                    _matter(
                        "m_c",
                        "d2",
                        promised_limit_days=3,
                        fields=[
                            {"key": "x.id_number", "label": "身份号码", "type": "id_number"},
                            {
                                "key": "c.choice",
                                "label": "选择",
                                "type": "enum",
                                "options": ["是", "否"],
                            },
                        ],
                        materials=[{"code": "contract", "name": "合同"}],
                        channels={"fully_online": True, "cross_region": True},
                    )
                ],
            },
            "bundles": {
                "b1.yaml": {
                    "code": "b1",
                    "name": "测试一件事",
                    "lead_department": "d1",
                    "promised_limit_days": 5,
                    "limits_source": PLACEHOLDER,
                    "source": PLACEHOLDER,
                    "members": [
                        {"matter": "m_a"},
                        {
                            "matter": "m_b",
                            "depends_on": ["m_a"],
                            "inputs": {"b.number": "m_a.a.number"},
                        },
                        {"matter": "m_c", "optional": True},
                    ],
                }
            },
        }
    )


def write_catalog(root: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` (as from :func:`tiny_catalog`) into ``root`` in the shipped layout."""
    root.mkdir(parents=True, exist_ok=True)
    for key in ("departments", "duties", "systems", "data_catalogs"):
        if key in data:
            text = yaml.safe_dump({key: data[key]}, allow_unicode=True, sort_keys=False)
            (root / f"{key}.yaml").write_text(text, encoding="utf-8")
    for folder in ("matters", "bundles"):
        (root / folder).mkdir(exist_ok=True)
        for name, content in data.get(folder, {}).items():
            body = {folder: content} if isinstance(content, list) else content
            text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
            (root / folder / name).write_text(text, encoding="utf-8")
    return root
