"""Every ORM table of the operational database, one module per aggregate.

Importing this package registers all tables on ``onething.kit.db.Base.metadata``
(Alembic's autogenerate relies on it).
"""

from onething.models import cases as cases  # the case engine's tables
from onething.models.audit import AuditEvent, record_audit

__all__ = ["AuditEvent", "record_audit"]
