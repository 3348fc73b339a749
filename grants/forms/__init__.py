"""Forms of the grants app: the applicant's steps (applicant.py) and the officer's (staff.py)."""

from .applicant import (
    ApplicationCreateForm,
    CircularForm,
    CostLineFormSet,
    DeclarationsForm,
    DeMinimisAidFormSet,
    DeMinimisForm,
    IndicatorFormSet,
    PartnerFormSet,
    ProjectForm,
    QuestionsForm,
    SupplyInfoForm,
    localised,
    question_choices,
)
from .staff import InfoRequestForm, NotConsideredForm, ProposalForm, QueueFilterForm, SendBackForm

__all__ = [
    "ApplicationCreateForm",
    "CircularForm",
    "CostLineFormSet",
    "DeMinimisAidFormSet",
    "DeMinimisForm",
    "DeclarationsForm",
    "IndicatorFormSet",
    "InfoRequestForm",
    "NotConsideredForm",
    "PartnerFormSet",
    "ProjectForm",
    "ProposalForm",
    "QueueFilterForm",
    "QuestionsForm",
    "SendBackForm",
    "SupplyInfoForm",
    "localised",
    "question_choices",
]
