"""What an applicant fills in besides the application row itself: cost lines, planned indicators,
consortium partners, answers to the scheme's questions, attachments and other de minimis aid."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.models import LegalForm
from applicants.validators import validate_kvk_number

from .circular import INDICATOR_UNITS, Indicator

MONEY = {"max_digits": 12, "decimal_places": 2}


class CostLine(models.Model):
    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="cost_lines")
    description = models.CharField(_("description"), max_length=300)
    amount_excl_vat = models.DecimalField(
        _("amount excluding VAT"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    vat = models.DecimalField(_("VAT"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    incurred_on = models.DateField(_("date of the costs"))

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["incurred_on", "pk"]

    def __str__(self):
        return self.description


class PlannedIndicator(models.Model):
    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator)
    planned = models.DecimalField(_("planned value"), max_digits=14, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("planned result")
        verbose_name_plural = _("planned results")
        constraints = [models.UniqueConstraint(fields=["application", "indicator"], name="unique_planned_indicator")]

    def __str__(self):
        return f"{self.get_indicator_display()}: {self.planned} {self.unit}"

    @property
    def unit(self):
        return INDICATOR_UNITS[self.indicator]


class Partner(models.Model):
    """A consortium partner in a chain collaboration (DOMAIN 11a); the applicant's company is the lead."""

    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="partners")
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[validate_kvk_number])
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm)
    is_business = models.BooleanField(_("is a business"), default=True)
    cost_share = models.DecimalField(_("cost share"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    de_minimis_received = models.DecimalField(
        _("other de minimis aid in the last three years"), default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))], **MONEY,
    )

    class Meta:
        verbose_name = _("consortium partner")
        verbose_name_plural = _("consortium partners")
        constraints = [models.UniqueConstraint(fields=["application", "kvk_number"], name="unique_partner_kvk")]

    def __str__(self):
        return f"{self.name} ({self.kvk_number})"


class AttachmentKind(models.TextChoices):
    QUOTE = "quote", _("Quote from the provider")
    PROJECT_PLAN = "project_plan", _("Project plan")
    BUDGET = "budget", pgettext_lazy("attachment kind", "Budget")
    COLLABORATION_AGREEMENT = "collaboration", _("Collaboration agreement")
    ANSWER = "answer", _("Answer to a question")
    OTHER = "other", _("Other")


def attachment_path(instance, filename):
    # Random names outside any public path; the original name is kept in the row, sanitised.
    import uuid

    return f"applications/{instance.application_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind, default=AttachmentKind.OTHER)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class DeMinimisAid(models.Model):
    """Other de minimis aid the company declared (EU 2023/2831): counted with this system's awards."""

    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="de_minimis_aid")
    provider = models.CharField(_("aid provider"), max_length=200)
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    granted_on = models.DateField(_("grant date"))

    class Meta:
        verbose_name = _("other de minimis aid")
        verbose_name_plural = _("other de minimis aid")
        ordering = ["granted_on"]

    def __str__(self):
        return f"{self.provider}: {self.amount}"


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes or no")
    FILE = "file", _("File")


class SchemeQuestion(models.Model):
    scheme = models.ForeignKey("grants.Scheme", on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind)
    label_nl = models.CharField(_("question (Dutch)"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300)
    help_nl = models.CharField(_("help text (Dutch)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    choices_nl = models.TextField(_("choices (Dutch), one per line"), blank=True)
    choices_en = models.TextField(_("choices (English), one per line, same order"), blank=True)

    class Meta:
        verbose_name = _("scheme question")
        verbose_name_plural = _("scheme questions")
        ordering = ["scheme", "order", "pk"]

    def __str__(self):
        return self.label_nl


class Answer(models.Model):
    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SchemeQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField(_("answer"), blank=True)
    attachment = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="unique_answer")]

    def __str__(self):
        return self.value[:50]


class Message(models.Model):
    """The message thread between the applicant and the municipality on one application."""

    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:50]
