from .application_parts import (
    Answer,
    Attachment,
    AttachmentKind,
    CostLine,
    DeMinimisAid,
    Message,
    Partner,
    PlannedIndicator,
    QuestionKind,
    SchemeQuestion,
)
from .applications import Application, ApplicationState, DecisionOutcome
from .assessment import AssessmentCriterion, Draw, DrawPurpose, DrawState, RejectionReason, Score
from .budget import Budget, BudgetExceeded, LedgerEntry, LedgerKind
from .circular import INDICATOR_UNITS, SIX_RUNG, Indicator, RLadder
from .letters import DecisionLetter, LetterChannel, LetterKind, LetterTemplate
from .objections import DecisionKind, Objection, ObjectionOutcome, ObjectionState
from .organisations import Organisation, ReferenceCounter, StaffMembership, StaffRole
from .schemes import DistributionMethod, Scheme, SchemeKind

__all__ = [
    "AssessmentCriterion",
    "Draw",
    "DrawPurpose",
    "DrawState",
    "RejectionReason",
    "Score",
    "INDICATOR_UNITS",
    "SIX_RUNG",
    "Answer",
    "Attachment",
    "AttachmentKind",
    "CostLine",
    "DeMinimisAid",
    "Indicator",
    "Message",
    "Partner",
    "PlannedIndicator",
    "QuestionKind",
    "RLadder",
    "SchemeQuestion",
    "Application",
    "ApplicationState",
    "Budget",
    "DecisionLetter",
    "LetterChannel",
    "LetterKind",
    "LetterTemplate",
    "BudgetExceeded",
    "DecisionKind",
    "DecisionOutcome",
    "DistributionMethod",
    "LedgerEntry",
    "LedgerKind",
    "Objection",
    "ObjectionOutcome",
    "ObjectionState",
    "Organisation",
    "ReferenceCounter",
    "Scheme",
    "SchemeKind",
    "StaffMembership",
    "StaffRole",
]
