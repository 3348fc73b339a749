from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from workflows import access

from .assessment import RejectionReason
from .circular import RLadder
from .letters import DecisionTermMixin
from .schemes import Scheme


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("Information requested")
    IN_REVIEW = "in_review", _("In review")
    PROPOSED = "proposed", _("Decision proposed")
    AWARDED = "awarded", _("Awarded")
    REJECTED = "rejected", _("Rejected")
    NOT_CONSIDERED = "not_considered", _("Not considered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STATE_LABELS = dict(ApplicationState.choices)  # lazy labels: translated when shown


class DecisionOutcome(models.TextChoices):
    AWARD = "award", _("Award")
    REJECT = "reject", _("Reject")
    NOT_CONSIDERED = "not_considered", _("Not considered")


OUTCOME_STATE = {
    DecisionOutcome.AWARD: ApplicationState.AWARDED,
    DecisionOutcome.REJECT: ApplicationState.REJECTED,
    DecisionOutcome.NOT_CONSIDERED: ApplicationState.NOT_CONSIDERED,
}
OPEN_STATES = [
    ApplicationState.SUBMITTED,
    ApplicationState.INFO_REQUESTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.PROPOSED,
]
S = ApplicationState


class Application(FSMModelMixin, DecisionTermMixin, models.Model):
    """An application (aanvraag) for a scheme. Its state changes only through workflows.services.

    The transitions below only set fields that follow from them; the service around them locks the
    row, checks the permission, writes the log, outbox and ledger rows.
    """

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="applications")
    # The scheme's municipality, copied on creation: the staff pages filter and count by tenant without a join
    # (a scheme never moves to another municipality).
    organisation = models.ForeignKey(
        "grants.Organisation", verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    company = models.ForeignKey(
        "applicants.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications_created"
    )
    state = FSMField(_("state"), default=S.DRAFT, choices=ApplicationState, protected=True, db_index=True)
    reference = models.CharField(_("reference"), max_length=30, blank=True)
    # What the officer queue's search looks in: the reference, the company's name and KvK number. Kept by
    # database triggers (migration 0013) on every insert and on any change of the reference, the company or
    # the company's name or number, whoever writes; trigram-indexed on PostgreSQL, so a search for part of a
    # name reads only the matching cases of the municipality instead of joining all of them to their company.
    search_text = models.CharField(max_length=250, default="", editable=False)
    title = models.CharField(_("project title"), max_length=200)
    description = models.TextField(_("project description"))
    requested_amount = models.DecimalField(
        _("requested amount"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    location = models.CharField(_("where the project takes place"), max_length=200, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    current_rung = models.CharField(_("current R-ladder rung"), max_length=2, choices=RLadder, blank=True)
    target_rung = models.CharField(_("target R-ladder rung"), max_length=2, choices=RLadder, blank=True)
    de_minimis_none = models.BooleanField(_("no other de minimis aid in the last three years"), default=False)
    electronic_consent = models.BooleanField(_("decisions may be sent electronically"), default=True)
    declared_truthful = models.BooleanField(_("declared truthful and complete"), default=False)
    consented_processing = models.BooleanField(_("consented to the processing of the data"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # First come, first served is by the moment an application became complete (DOMAIN rule 1).
    completed_at = models.DateTimeField(_("complete since"), null=True, blank=True, db_index=True)
    decision_due_on = models.DateField(_("decision due on"), null=True, blank=True)
    # Awb 4:15: the decision clock stops from the day after an information request until completion.
    info_requested_on = models.DateField(_("information requested on"), null=True, blank=True)
    repair_due_on = models.DateField(_("complete before"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days the decision clock stood still"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_cases"
    )
    proposed_outcome = models.CharField(_("proposed outcome"), max_length=20, choices=DecisionOutcome, blank=True)
    proposed_amount = models.DecimalField(
        _("proposed amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposal_motivation = models.TextField(_("motivation"), blank=True)
    # Why (part of) the request is refused: proposed with a rejection, or "ceiling reached" when approval
    # finds the reservation or the remaining budget short of the proposed award (Awb 4:25).
    rejection_reason = models.CharField(_("reason for refusal"), max_length=20, choices=RejectionReason, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    awarded_amount = models.DecimalField(_("awarded amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            # References carry the municipality's code and the year, so they are unique region-wide.
            models.UniqueConstraint(fields=["reference"], condition=~models.Q(reference=""), name="unique_reference"),
        ]
        indexes = [
            models.Index(fields=["scheme", "state", "decision_due_on"]),
            models.Index(fields=["company", "state"]),
            # The officer queue: per municipality by state, in order of the decision date; region-wide by date.
            models.Index(fields=["organisation", "state", "decision_due_on"]),
            models.Index(fields=["organisation", "decision_due_on", "id"]),
            models.Index(fields=["decision_due_on", "id"]),
            # The public subsidy register: awards, newest decision first.
            models.Index(fields=["-decided_at", "-id"], condition=models.Q(state="awarded"),
                         name="awarded_by_decision"),
        ]

    def __str__(self):
        return self.reference or f"{_('Draft')} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.scheme_id is not None:
            self.organisation_id = self.scheme.organisation_id
        super().save(*args, **kwargs)

    # Steps between staff only: never shown to the applicant (the proposal, its motivation, send-backs).
    INTERNAL_TRANSITIONS = frozenset({"propose", "propose_not_considered", "send_back"})

    def get_state_display(self):
        """The state's label from a dict built once: Django's own rebuilds its choices dict on every call
        (45 µs; 50 times on a queue page)."""
        return str(STATE_LABELS.get(self.state, self.state))

    def get_applicant_state_display(self):
        """The state as the applicant sees it: a pending proposal is still "in review" to them."""
        if self.state == ApplicationState.PROPOSED:
            return ApplicationState.IN_REVIEW.label
        return self.get_state_display()

    # --- transitions (no I/O, no save: workflows.services runs them) ---

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=access.acts_for_applicant)
    def submit(self, *, at):
        self.submitted_at = at
        self.completed_at = at

    @transition(field=state, source=[S.SUBMITTED, S.IN_REVIEW], target=S.INFO_REQUESTED, permission=access.handles_case)
    def request_info(self, *, on, due):
        self.info_requested_on = on
        self.repair_due_on = due

    @transition(field=state, source=S.INFO_REQUESTED, target=S.SUBMITTED, permission=access.acts_for_applicant)
    def supply_info(self, *, at):
        self.completed_at = at
        self.repair_due_on = None

    @transition(field=state, source=OPEN_STATES, target=None, permission=access.handles_case)
    def assign(self, *, to):
        """Give the case to an officer (or take it back: ``to`` None); the state stays."""
        self.assigned_to = to

    @transition(field=state, source=S.SUBMITTED, target=S.IN_REVIEW, permission=access.handles_case)
    def start_review(self):
        pass

    def repair_period_lapsed(self, today=None):
        return self.repair_due_on is not None and (today or timezone.localdate()) > self.repair_due_on

    @transition(field=state, source=S.IN_REVIEW, target=S.PROPOSED, permission=access.handles_case)
    def propose(self, *, by, outcome, amount, motivation, rejection_reason=""):
        self.proposed_by = by
        self.proposed_outcome = outcome
        self.proposed_amount = amount
        self.proposal_motivation = motivation
        self.rejection_reason = rejection_reason if outcome == DecisionOutcome.REJECT else ""

    @transition(
        field=state,
        source=S.INFO_REQUESTED,
        target=S.PROPOSED,
        permission=access.handles_case,
        conditions=[repair_period_lapsed],
    )
    def propose_not_considered(self, *, by, motivation):
        """Awb 4:5: the application was not completed within the repair period."""
        self.proposed_by = by
        self.proposed_outcome = DecisionOutcome.NOT_CONSIDERED
        self.proposed_amount = None
        self.proposal_motivation = motivation

    @property
    def approval_amount(self):
        """The amount that decides the four-eyes band: the proposed award, or for a refusal the amount
        the applicant asked for (what the decision denies)."""
        if self.proposed_outcome == DecisionOutcome.AWARD:
            return self.proposed_amount or Decimal("0")
        return self.requested_amount

    @transition(field=state, source=S.PROPOSED, target=S.IN_REVIEW, permission=access.approves_case)
    def send_back(self):
        self.proposed_outcome = ""
        self.rejection_reason = ""

    def _approval_state(self, granted=None, **kwargs):
        if self.proposed_outcome == DecisionOutcome.AWARD and granted is not None and granted <= 0:
            return S.REJECTED
        return OUTCOME_STATE[self.proposed_outcome]

    @transition(
        field=state,
        source=S.PROPOSED,
        target=GET_STATE(_approval_state, states=list(OUTCOME_STATE.values())),
        permission=access.approves_case,
    )
    def approve(self, *, by, at, granted=None):
        """``granted``: what the budget can still give this award (its reservation, or for ranked schemes
        what is left of the ceiling); None when unlimited. Awb 4:25: refused to the extent it exceeds it."""
        self.decided_by = by
        self.decided_at = at
        if self.proposed_outcome != DecisionOutcome.AWARD:
            return
        amount = self.proposed_amount if granted is None else min(granted, self.proposed_amount)
        if amount < self.proposed_amount:
            self.rejection_reason = RejectionReason.CEILING_REACHED
        self.awarded_amount = amount if amount > 0 else None

    @transition(
        field=state,
        source=[S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.IN_REVIEW],
        target=S.WITHDRAWN,
        permission=access.acts_for_applicant,
    )
    def withdraw(self):
        pass

    @transition(
        field=state,
        source=[S.AWARDED, S.REJECTED, S.NOT_CONSIDERED],
        target=GET_STATE(lambda self, **kw: OUTCOME_STATE[kw["outcome"]], states=[S.AWARDED, S.REJECTED]),
        permission=access.reconsiders_case,
    )
    def reconsider(self, *, outcome, amount):
        """The new decision that replaces this one after a (partly) founded objection (Awb 7:11);
        workflows.services.objections moves the budget by the difference. decided_at and decided_by
        keep naming the original decision: the objection records who decided on it and when."""
        self.awarded_amount = amount if outcome == DecisionOutcome.AWARD else None


class ApplicationStateCount(models.Model):
    """How many submitted applications each municipality has per state, kept as deltas: database triggers
    (migration 0014) add a row of +1 or -1 for every insert, delete and change of state or municipality of
    a non-draft application, whoever writes it, so no writer ever waits for another on a shared counter
    row. ``grants.state_counts.compact`` (beat) folds the rows into one per municipality and state. The
    officer queue sums a few dozen rows instead of counting up to 100,000 applications."""

    # No database constraint: the triggers write these rows while a test database is flushed table by table.
    organisation = models.ForeignKey("grants.Organisation", on_delete=models.DO_NOTHING, related_name="+",
                                     db_constraint=False)
    state = models.CharField(max_length=50)
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self):
        return f"{self.organisation_id} {self.state} {self.n:+d}"
