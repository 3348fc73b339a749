from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .circular import RLadder
from .organisations import Organisation


class SchemeKind(models.TextChoices):
    VOUCHER = "voucher", _("Voucher")
    PILOT = "pilot", _("Pilot grant")
    CHAIN = "chain", _("Chain collaboration")


class DistributionMethod(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    RANKING = "ranking", _("Ranking after the closing date")
    LOTTERY = "lottery", _("Lottery on an oversubscribed opening day")


class SchemeQuerySet(models.QuerySet):
    def open_on(self, day):
        return self.filter(opens_on__lte=day).filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day))


class Scheme(models.Model):
    """A subsidy scheme (regeling) with its budget ceiling, published before its period starts (Awb 4:22)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="schemes"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SchemeKind)
    code = models.SlugField(_("code"), max_length=40)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"))
    description_en = models.TextField(_("description (English)"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    legal_basis_url = models.URLField(_("link to the legal basis"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    distribution = models.CharField(
        _("distribution method"), max_length=12, choices=DistributionMethod, default=DistributionMethod.FIRST_COME
    )
    min_amount = models.DecimalField(_("minimum amount"), max_digits=12, decimal_places=2, default=Decimal("0"))
    max_amount = models.DecimalField(_("maximum amount"), max_digits=12, decimal_places=2)
    cofunding_percentage = models.PositiveSmallIntegerField(
        _("co-funding percentage"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of eligible costs the scheme pays."),
    )
    decision_term_weeks = models.PositiveSmallIntegerField(_("decision term in weeks"), default=8)
    repair_period_days = models.PositiveSmallIntegerField(_("default repair period in days"), default=14)
    direct_determination_threshold = models.DecimalField(
        _("direct determination below"), max_digits=12, decimal_places=2, default=Decimal("5000.00")
    )
    advance_percentage = models.PositiveSmallIntegerField(
        _("advance percentage"), default=0, validators=[MaxValueValidator(100)]
    )
    max_awards_per_company = models.PositiveSmallIntegerField(_("maximum awards per company"), default=1)
    costs_after_application_only = models.BooleanField(
        _("only costs after the application date are eligible"), default=True
    )
    # Eligibility (grants.eligibility applies these, for the check page, the form and submit alike).
    max_employees = models.PositiveIntegerField(_("maximum number of employees"), null=True, blank=True)
    allowed_legal_forms = models.JSONField(
        _("allowed legal forms"), default=list, blank=True, help_text=_("Empty: every legal form.")
    )
    eligible_municipalities = models.ManyToManyField(
        Organisation, verbose_name=_("company located in"), blank=True, related_name="+",
        help_text=_("Empty: the scheme's own municipality."),
    )
    excluded_sbi_codes = models.CharField(
        _("excluded SBI codes"), max_length=300, blank=True,
        help_text=_("Comma-separated; a code excludes every code that starts with it."),
    )
    min_partners = models.PositiveSmallIntegerField(_("minimum number of partners"), null=True, blank=True)
    max_partners = models.PositiveSmallIntegerField(_("maximum number of partners"), null=True, blank=True)
    min_business_partners = models.PositiveSmallIntegerField(
        _("minimum number of business partners"), null=True, blank=True
    )
    required_rung = models.CharField(
        _("required R-ladder rung (at least)"), max_length=2, choices=RLadder, blank=True,
    )
    require_rung_up = models.BooleanField(_("must climb at least one rung on the R-ladder"), default=False)
    required_attachments = models.JSONField(_("required attachments"), default=list, blank=True)
    # Four-eyes bands: a second officer approves proposals up to this amount, a manager above it.
    officer_approval_limit = models.DecimalField(
        _("officers approve up to (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Proposals up to this amount are approved by a second officer, above it by a manager. "
                    "0: a manager approves every proposal."),
    )
    # Reporting plan defaults for pilot and chain schemes (grants.models.pilots, made at the award).
    progress_report_months = models.PositiveSmallIntegerField(
        _("a progress report every (months)"), default=3, help_text=_("0: no progress reports.")
    )
    final_report_weeks = models.PositiveSmallIntegerField(_("final report due (weeks after the end)"), default=8)
    determination_request_weeks = models.PositiveSmallIntegerField(
        _("apply for the final determination within (weeks after the end)"), default=13
    )
    milestone_tranche_percentage = models.PositiveSmallIntegerField(
        _("payment tranche per accepted milestone (percentage of the award)"), default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("0: milestones release no payment."),
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["organisation__name", "title_nl"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_scheme_code"),
            models.CheckConstraint(condition=Q(max_amount__gte=models.F("min_amount")), name="scheme_min_le_max"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return self.title_en if get_language() == "en" else self.title_nl

    @property
    def description(self):
        return self.description_en if get_language() == "en" else self.description_nl

    @property
    def municipality_ids(self):
        ids = [m.pk for m in self.eligible_municipalities.all()]
        return ids or [self.organisation_id]

    @property
    def required_attachment_kinds(self):
        """The required attachment kinds an applicant can actually upload, each once, in the scheme's order."""
        from .application_parts import AttachmentKind

        listed = self.required_attachments if isinstance(self.required_attachments, list) else []
        return [kind for kind in dict.fromkeys(listed) if kind in AttachmentKind.values]

    @property
    def excluded_sbi_list(self):
        return [code.strip() for code in self.excluded_sbi_codes.split(",") if code.strip()]

    def is_open(self, day=None):
        day = day or timezone.localdate()
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)
