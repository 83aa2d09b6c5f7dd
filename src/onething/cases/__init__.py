"""One case engine (办件): applications, bundle fan-out (一件事), clocks, evaluations.

Case state is rows — a case, its children, its clocks and their ledgers — and an
append-only event table, never a serialised workflow blob (DESIGN §4).

- :mod:`.states` — state machines as data (states, transitions, roles, guard hooks);
- :mod:`.transitions` — the one place a case changes (check, guard, move, event + audit);
- :mod:`.clocks` — legal / promised / step terms on the working-day calendar, as a ledger;
- :mod:`.bundles` — bundle planning and the fan-out as children conclude;
- :mod:`.materials` — uploaded materials: checked, stored by content hash, read with a check;
- :mod:`.service` — the verbs (:class:`CaseService`), :mod:`.queries` — the reads;
- :mod:`.definitions` — what the engine needs of the catalog (Protocols);
- :mod:`.schemas` — what goes in and comes out.

    from onething.cases import Actor, CaseService, SubmitRequest
    engine = CaseService()
    with unit_of_work() as session:
        case = engine.submit(session, clerk, catalog, request, idempotency_key=key)
"""

from onething.cases.actors import SYSTEM, Actor, Role
from onething.cases.clocks import ClockReading, LedgerLine, read_clock
from onething.cases.definitions import (
    BundleDefinition,
    BundleMemberDefinition,
    MatterDefinition,
    ServiceCatalog,
)
from onething.cases.errors import GuardBlocked, TransitionRefused
from onething.cases.materials import MaterialStore, StagedFile
from onething.cases.schemas import (
    Applicant,
    CaseOut,
    CaseSummary,
    CaseTree,
    ClockOut,
    EventOut,
    MaterialOut,
    QueueItem,
    SlaFlag,
    Statistics,
    SubmitRequest,
)
from onething.cases.service import CaseService, Submitted, case_service
from onething.cases.states import (
    MACHINES,
    CaseSnapshot,
    Finding,
    StateMachine,
    Transition,
    TransitionGuard,
    machine_for,
)

__all__ = [
    "MACHINES",
    "SYSTEM",
    "Actor",
    "Applicant",
    "BundleDefinition",
    "BundleMemberDefinition",
    "CaseOut",
    "CaseService",
    "CaseSnapshot",
    "CaseSummary",
    "CaseTree",
    "ClockOut",
    "ClockReading",
    "EventOut",
    "Finding",
    "GuardBlocked",
    "LedgerLine",
    "MaterialOut",
    "MaterialStore",
    "MatterDefinition",
    "QueueItem",
    "Role",
    "ServiceCatalog",
    "SlaFlag",
    "StagedFile",
    "StateMachine",
    "Statistics",
    "SubmitRequest",
    "Submitted",
    "Transition",
    "TransitionGuard",
    "TransitionRefused",
    "case_service",
    "machine_for",
    "read_clock",
]
