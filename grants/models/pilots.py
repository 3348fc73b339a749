"""Pilot grants after the award: the reporting plan (milestones, progress and final reports, the
deadline to apply for the final determination), reports with typed circular results, change
requests and the company's showcase consent (DOMAIN.md "Pilot results", "Transparency").

States change only through workflows.services.pilots (run_transition); the transitions here set
only the fields that follow from them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflows import access

from .circular import SIX_RUNG, Indicator, RLadder

MONEY = {"max_digits": 12, "decimal_places": 2}


class ReportingPlan(models.Model):
    """One per awarded pilot or chain application, made at the award from the scheme's defaults and
    adjustable by the officer. It also holds the company's showcase consent and the featured flag."""

    application = models.OneToOneField("grants.Application", on_delete=models.CASCADE, related_name="reporting_plan")
    # Awb 4:95 / DOMAIN rule 5: the award names the deadline to apply for the final determination.
    determination_request_due_on = models.DateField(_("apply for the final determination before"))
    showcase_consent = models.BooleanField(_("show this pilot in the public showcase"), default=False)
    showcase_summary = models.TextField(_("summary for the showcase"), max_length=2000, blank=True)
    featured = models.BooleanField(_("featured by the municipality"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporting plan")
        verbose_name_plural = _("reporting plans")
        indexes = [models.Index(fields=["showcase_consent", "featured"])]

    def __str__(self):
        return str(self.application)


class Milestone(models.Model):
    """A point in the pilot evidenced by a progress report; may release a payment tranche."""

    plan = models.ForeignKey(ReportingPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    tranche_amount = models.DecimalField(_("payment tranche"), default=Decimal("0"), **MONEY,
                                         validators=[MinValueValidator(Decimal("0"))])
    # Set when its report is accepted: the payments service pays tranches released and not yet paid.
    tranche_released_on = models.DateField(_("tranche released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    FINAL = "final", _("Final report")


class ReportState(models.TextChoices):
    DUE = "due", _("Due")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


R = ReportState


class Report(FSMModelMixin, models.Model):
    """A progress or final report: drafted while due (or returned), submitted by the grantee,
    accepted or returned with comments by the officer."""

    plan = models.ForeignKey(ReportingPlan, on_delete=models.CASCADE, related_name="reports")
    # Denormalised from the plan, so tenant querysets filter reports without a join through the plan.
    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="pilot_reports")
    milestone = models.OneToOneField(Milestone, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="report")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind)
    state = FSMField(_("state"), default=R.DUE, choices=ReportState, protected=True, db_index=True)
    due_on = models.DateField(_("due on"), db_index=True)
    narrative = models.TextField(_("what was done"), max_length=10000, blank=True)
    rung_achieved = models.CharField(_("R-ladder strategy achieved"), max_length=2, choices=RLadder, blank=True)
    lessons_learned = models.TextField(_("lessons learned"), max_length=5000, blank=True)
    costs_spent = models.DecimalField(_("costs spent so far"), null=True, blank=True, **MONEY,
                                      validators=[MinValueValidator(Decimal("0"))])
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    officer_comment = models.TextField(_("comments of the officer"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("pilot report")
        verbose_name_plural = _("pilot reports")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["plan", "state", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.application}"

    @property
    def six_rung(self):
        """The RVO/ICER six-rung number of the strategy achieved (R0-R9 is what is stored)."""
        return SIX_RUNG.get(self.rung_achieved)

    @property
    def editable(self):
        return self.state in (R.DUE, R.RETURNED)

    @transition(field=state, source=[R.DUE, R.RETURNED], target=R.SUBMITTED, permission=access.acts_for_grantee)
    def submit(self, *, by, at):
        self.submitted_by = by
        self.submitted_at = at

    @transition(field=state, source=R.SUBMITTED, target=R.ACCEPTED, permission=access.handles_grant)
    def accept(self, *, by, at, comment):
        self.decided_by = by
        self.decided_at = at
        self.officer_comment = comment

    @transition(field=state, source=R.SUBMITTED, target=R.RETURNED, permission=access.handles_grant)
    def return_to_grantee(self, *, by, at, comment):
        self.decided_by = by
        self.decided_at = at
        self.officer_comment = comment


class ReportIndicator(models.Model):
    """A typed figure: planned (from the application) against realised. The unit is stored with the
    figure, so aggregates group by indicator and unit and never add up incomparable figures."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator)
    unit = models.CharField(_("unit"), max_length=10)
    planned = models.DecimalField(_("planned value"), max_digits=14, decimal_places=2, null=True, blank=True)
    realised = models.DecimalField(_("realised value"), max_digits=14, decimal_places=2, null=True, blank=True,
                                   validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("reported result")
        verbose_name_plural = _("reported results")
        ordering = ["indicator"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator", "unit"], name="unique_report_indicator")]

    def __str__(self):
        return f"{self.get_indicator_display()}: {self.realised} {self.unit}"


def report_file_path(instance, filename):
    import uuid

    return f"reports/{instance.report_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A photo or document with a report; checked like application attachments (grants.attachments)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=report_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ChangeKind(models.TextChoices):
    EXTEND_PERIOD = "extend_period", _("Extend the period")
    CHANGE_ACTIVITIES = "change_activities", _("Change activities")
    CHANGE_BUDGET = "change_budget", _("Change budget lines")


class ChangeState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


C = ChangeState


class ChangeRequest(FSMModelMixin, models.Model):
    """A grantee's request to change the awarded pilot, decided by an officer and kept with the award."""

    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("what to change"), max_length=20, choices=ChangeKind)
    description = models.TextField(_("what and why"), max_length=5000)
    new_end_on = models.DateField(_("new end date"), null=True, blank=True)
    state = FSMField(_("state"), default=C.SUBMITTED, choices=ChangeState, protected=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("motivation of the decision"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.application}"

    @transition(field=state, source=C.SUBMITTED, target=C.APPROVED, permission=access.handles_grant)
    def approve(self, *, by, at, comment):
        self.decided_by, self.decided_at, self.decision_comment = by, at, comment

    @transition(field=state, source=C.SUBMITTED, target=C.REJECTED, permission=access.handles_grant)
    def reject(self, *, by, at, comment):
        self.decided_by, self.decided_at, self.decision_comment = by, at, comment

