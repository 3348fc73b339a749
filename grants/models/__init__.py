from .applications import Application, ApplicationState, DecisionOutcome
from .budget import Budget, BudgetExceeded, LedgerEntry, LedgerKind
from .organisations import Organisation, ReferenceCounter, StaffMembership, StaffRole
from .schemes import DistributionMethod, Scheme, SchemeKind

__all__ = [
    "Application",
    "ApplicationState",
    "Budget",
    "BudgetExceeded",
    "DecisionOutcome",
    "DistributionMethod",
    "LedgerEntry",
    "LedgerKind",
    "Organisation",
    "ReferenceCounter",
    "Scheme",
    "SchemeKind",
    "StaffMembership",
    "StaffRole",
]
