"""The entities: each policy's unit is the only (person-like) entity of its system."""

from __future__ import annotations

from openfisca_core.entities import build_entity

ENTERPRISE = build_entity(
    key="enterprise",
    plural="enterprises",
    label="用人单位",
    doc="An enterprise (统一社会信用代码), the unit of 稳岗返还.",
    is_person=True,
)
CERTIFICATE = build_entity(
    key="certificate",
    plural="certificates",
    label="职业技能证书",
    doc="A skill certificate, the unit of 技能提升补贴.",
    is_person=True,
)
