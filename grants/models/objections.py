"""The objection (bezwaar) against a decision on an application, Awb chapters 6 and 7.

The decision objected to is named generically (the application, the kind of decision and the day it
was sent), so that later decisions on the same application (final determination, recovery) can be
objected to with the same model. Its state changes only through workflows.services.objections.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflows import access
from workflows.deadlines import term_end


class ObjectionState(models.TextChoices):
    # Only inside the lodging transaction: the row is created and lodged in one go.
    NEW = "new", _("New")
    LODGED = "lodged", _("Lodged")
    GROUNDS_REQUESTED = "grounds_requested", _("Grounds requested")
    HEARD = "heard", _("Heard")
    PROPOSED = "proposed", _("Decision proposed")
    DECIDED = "decided", _("Decided")


class ObjectionOutcome(models.TextChoices):
    INADMISSIBLE = "inadmissible", _("Inadmissible")
    UNFOUNDED = "unfounded", _("Unfounded")
    FOUNDED = "founded", _("Founded")
    PARTLY_FOUNDED = "partly_founded", _("Partly founded")


# A (partly) founded objection replaces the decision with a new one (Awb 7:11).
REVISING_OUTCOMES = frozenset({ObjectionOutcome.FOUNDED, ObjectionOutcome.PARTLY_FOUNDED})


class DecisionKind(models.TextChoices):
    AWARD = "award", _("Award")
    REJECTION = "rejection", _("Rejection")
    NOT_CONSIDERED = "not_considered", _("Not considered")
    DETERMINATION = "determination", _("Final determination")
    RECOVERY = "recovery", _("Recovery")


ST = ObjectionState
OPEN_OBJECTION_STATES = [ST.LODGED, ST.GROUNDS_REQUESTED, ST.HEARD, ST.PROPOSED]


class Objection(FSMModelMixin, models.Model):
    application = models.ForeignKey(
        "grants.Application", verbose_name=_("application"), on_delete=models.PROTECT, related_name="objections"
    )
    decision_kind = models.CharField(_("decision objected to"), max_length=20, choices=DecisionKind)
    decision_sent_on = models.DateField(_("decision sent on"))
    state = FSMField(_("state"), default=ST.NEW, choices=ObjectionState, protected=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ObjectionOutcome, blank=True)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("lodged at"), null=True, blank=True)
    grounds = models.TextField(_("grounds"), blank=True)
    # Awb 6:7, 6:8: six weeks from the day after the decision was sent.
    period_ends_on = models.DateField(_("objection period ends on"))
    late = models.BooleanField(_("lodged after the objection period"), default=False)
    delay_reason = models.TextField(_("reason given for the delay"), blank=True)
    # Awb 6:11: a late objection is admissible only when the delay is excusable.
    delay_excused = models.BooleanField(_("delay excusable"), default=False)
    delay_excused_reason = models.TextField(_("why the delay is excusable"), blank=True)
    # Awb 6:6: the period to supply the grounds of a pro forma objection.
    grounds_due_on = models.DateField(_("grounds due on"), null=True, blank=True)
    hearing_at = models.DateTimeField(_("hearing at"), null=True, blank=True)
    hearing_place = models.CharField(_("hearing place"), max_length=200, blank=True)
    hearing_minutes = models.TextField(_("minutes of the hearing"), blank=True)
    hearing_waived = models.BooleanField(_("the objector waived being heard"), default=False)
    # Awb 7:10: six weeks after the objection period ended, extendable once by six weeks.
    decision_due_on = models.DateField(_("decision due on"))
    extended = models.BooleanField(_("decision term extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    # Four-eyes: an officer proposes the decision on the objection, a manager decides it.
    proposed_outcome = models.CharField(_("proposed outcome"), max_length=20, choices=ObjectionOutcome, blank=True)
    proposed_decision = models.CharField(_("proposed new decision"), max_length=20, blank=True)
    proposed_amount = models.DecimalField(_("proposed new amount"), max_digits=12, decimal_places=2, null=True,
                                          blank=True)
    proposal_motivation = models.TextField(_("proposed motivation"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motivation = models.TextField(_("motivation"), blank=True)
    new_amount = models.DecimalField(
        _("new awarded amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["decision_due_on", "pk"]
        constraints = [
            # One objection per decision: a further one on the same decision is the same procedure.
            models.UniqueConstraint(fields=["application", "decision_kind", "decision_sent_on"],
                                    name="unique_objection_per_decision"),
        ]
        indexes = [models.Index(fields=["state", "decision_due_on"])]

    def __str__(self):
        return _("Objection %(pk)s against %(application)s") % {"pk": self.pk, "application": self.application}

    # Steps between staff only: never shown to the objector (the proposal and its send-back).
    INTERNAL_TRANSITIONS = frozenset({"propose", "send_back"})

    def get_applicant_state_display(self):
        """The state as the objector sees it: a pending proposal is still "heard" to them."""
        if self.state == ObjectionState.PROPOSED:
            return ObjectionState.HEARD.label
        return self.get_state_display()

    @property
    def pro_forma(self):
        return not self.grounds.strip()

    @property
    def admissible_in_time(self):
        """Lodged in time, or late with an excusable delay (Awb 6:11)."""
        return not self.late or self.delay_excused

    def has_grounds(self):
        return not self.pro_forma

    def grounds_period_lapsed(self, today=None):
        return self.grounds_due_on is not None and (today or timezone.localdate()) > self.grounds_due_on

    def can_be_extended(self):
        return not self.extended

    def grounds_awaited(self, today=None):
        """Awb 6:6: while the period to supply grounds runs, the objection cannot be declared inadmissible
        for want of them."""
        return self.state == ObjectionState.GROUNDS_REQUESTED and not self.grounds_period_lapsed(today)

    def may_be_declared_inadmissible(self):
        return not self.grounds_awaited()

    def is_late_and_unexcused(self):
        return self.late and not self.delay_excused

    # --- transitions (no I/O, no save: workflows.services.objections runs them) ---

    @transition(field=state, source=ST.NEW, target=ST.LODGED, permission=access.acts_for_objector)
    def lodge(self, *, at):
        self.lodged_at = at

    @transition(field=state, source=ST.LODGED, target=ST.GROUNDS_REQUESTED, permission=access.handles_objection,
                conditions=[lambda self: self.pro_forma])
    def request_grounds(self, *, due):
        self.grounds_due_on = due

    @transition(field=state, source=ST.GROUNDS_REQUESTED, target=ST.LODGED, permission=access.acts_for_objector)
    def supply_grounds(self, *, grounds):
        self.grounds = grounds
        self.grounds_due_on = None

    @transition(field=state, source=ST.LODGED, target=None, permission=access.handles_objection,
                conditions=[has_grounds])
    def schedule_hearing(self, *, at, place):
        self.hearing_at = at
        self.hearing_place = place

    @transition(field=state, source=ST.LODGED, target=ST.HEARD, permission=access.handles_objection,
                conditions=[has_grounds])
    def hear(self, *, minutes, waived):
        """Awb 7:2: the objector is heard, or has said they do not wish to be (the minutes say so)."""
        self.hearing_minutes = minutes
        self.hearing_waived = waived

    @transition(field=state, source=OPEN_OBJECTION_STATES, target=None, permission=access.handles_objection,
                conditions=[is_late_and_unexcused])
    def excuse_delay(self, *, reason):
        self.delay_excused = True
        self.delay_excused_reason = reason

    @transition(field=state, source=OPEN_OBJECTION_STATES, target=None, permission=access.handles_objection,
                conditions=[can_be_extended])
    def extend(self, *, weeks, reason):
        """Awb 7:10 (3): once, by ``weeks``, moved past weekends and holidays."""
        self.extended = True
        self.decision_due_on = term_end(self.decision_due_on, weeks=weeks)
        self.extension_reason = reason

    @transition(field=state, source=ST.HEARD, target=ST.PROPOSED, permission=access.handles_objection)
    def propose(self, *, by, outcome, decision, amount, motivation):
        """The officer's proposal; ``decision`` (award or reject) and ``amount`` are the new decision of a
        (partly) founded objection."""
        self.proposed_by = by
        self.proposed_outcome = outcome
        self.proposed_decision = decision or ""
        self.proposed_amount = amount
        self.proposal_motivation = motivation

    @transition(field=state, source=ST.PROPOSED, target=ST.HEARD, permission=access.decides_objection)
    def send_back(self):
        self.proposed_outcome = ""

    @transition(field=state, source=ST.PROPOSED, target=ST.DECIDED, permission=access.decides_objection)
    def decide(self, *, by, at):
        self.outcome = self.proposed_outcome
        self.motivation = self.proposal_motivation
        self.new_amount = self.proposed_amount
        self.decided_by = by
        self.decided_at = at

    @transition(field=state, source=[ST.LODGED, ST.GROUNDS_REQUESTED], target=ST.DECIDED,
                permission=access.decides_objection, conditions=[may_be_declared_inadmissible])
    def declare_inadmissible(self, *, motivation, by, at):
        """Without a hearing (Awb 7:3 a: manifestly inadmissible), e.g. late without excuse or no grounds."""
        self.outcome = ObjectionOutcome.INADMISSIBLE
        self.motivation = motivation
        self.new_amount = None
        self.decided_by = by
        self.decided_at = at

