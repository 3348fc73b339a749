"""Decision letters (beschikkingen): the administrators' letter texts per scheme and kind, each save a new
version, and the letters sent, frozen with their text, template version and sending date.

Also the decision-term fields of an application (extension, notice of default) with their transitions:
they keep the state, so run_transition logs them like any other step."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import transition

from workflows import access
from workflows.deadlines import term_end

# The states in which the decision is still to be made (see applications.OPEN_STATES).
UNDECIDED = ["submitted", "info_requested", "in_review", "proposed"]


class LetterKind(models.TextChoices):
    AWARD = "award", pgettext_lazy("letter kind", "Award")
    PARTIAL_AWARD = "partial_award", pgettext_lazy("letter kind", "Partial award")
    REJECTION = "rejection", pgettext_lazy("letter kind", "Rejection")
    NOT_CONSIDERED = "not_considered", pgettext_lazy("letter kind", "Not considered")
    EXTENSION = "extension", pgettext_lazy("letter kind", "Extension of the decision term")
    OBJECTION_DECISION = "objection_decision", pgettext_lazy("letter kind", "Decision on objection")
    REVOCATION = "revocation", pgettext_lazy("letter kind", "Revocation")
    DETERMINATION = "determination", pgettext_lazy("letter kind", "Final determination")


class LetterChannel(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronically")
    POST = "post", _("By post")


class LetterTemplate(models.Model):
    """One version of a scheme's text for one kind of letter. Never changed: a save is a new row."""

    scheme = models.ForeignKey("grants.Scheme", on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(_("kind of letter"), max_length=20, choices=LetterKind)
    version = models.PositiveIntegerField(_("version"))
    body_nl = models.TextField(_("text (Dutch)"))
    body_en = models.TextField(_("text (English)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["scheme", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind", "version"], name="unique_letter_template_version"),
        ]

    def __str__(self):
        return f"{self.scheme} - {self.get_kind_display()} v{self.version}"


def letter_path(instance, filename):
    # Private media, random names: served only by the download views after their access check.
    return f"letters/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class DecisionLetter(models.Model):
    """A letter as it was issued: its text, template version and PDF never change afterwards.
    ``sent_on`` starts the objection period (Awb 6:8); letters by post get it when marked posted."""

    application = models.ForeignKey("grants.Application", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("kind of letter"), max_length=20, choices=LetterKind)
    language = models.CharField(_("language"), max_length=2)
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # 0: the system's default text (the scheme had no text of its own for this kind).
    template_version = models.PositiveIntegerField(_("template version"), default=0)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text as sent"))
    pdf = models.FileField(upload_to=letter_path, max_length=300)
    objection_id = models.PositiveIntegerField(null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=LetterChannel)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("decision letter")
        verbose_name_plural = _("decision letters")
        ordering = ["issued_at", "pk"]
        indexes = [models.Index(fields=["channel", "sent_on"])]

    def __str__(self):
        return f"{self.application} - {self.get_kind_display()}"

    @property
    def file_name(self):
        return f"{self.application.reference or self.application_id}-{self.kind}.pdf"


class DecisionTermMixin(models.Model):
    """The decision term's extension (verdaging, Awb 4:13-4:14) and a notice of default
    (ingebrekestelling, Awb 4:17) on an application. Both are transitions that keep the state."""

    extended_on = models.DateField(_("decision term extended on"), null=True, blank=True)
    extension_weeks = models.PositiveSmallIntegerField(_("extension in weeks"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    default_notice_received_on = models.DateField(_("notice of default received on"), null=True, blank=True)

    class Meta:
        abstract = True

    def may_extend(self, today=None):
        """Awb 4:14: once, and only before the term has passed."""
        today = today or timezone.localdate()
        return self.extended_on is None and self.decision_due_on is not None and today <= self.decision_due_on

    @transition(field="state", source=UNDECIDED, target=None, permission=access.handles_case,
                conditions=[may_extend])
    def extend_term(self, *, on, weeks, reason):
        self.extended_on = on
        self.extension_weeks = weeks
        self.extension_reason = reason
        # The new term runs from the old due date and ends on a working day (Algemene termijnenwet).
        self.decision_due_on = term_end(self.decision_due_on, weeks=weeks)

    def no_default_notice(self):
        return self.default_notice_received_on is None

    @transition(field="state", source=UNDECIDED, target=None, permission=access.handles_case,
                conditions=[no_default_notice])
    def register_default_notice(self, *, received_on):
        self.default_notice_received_on = received_on
