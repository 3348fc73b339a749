"""Circular vouchers (DOMAIN "Voucher schemes"): approved providers per scheme, the voucher an award
issues, its redemptions (the provider's invoice and deliverable) and the provider's code lookups.

Voucher: ``issued -> redemption_submitted -> (returned -> redemption_submitted) -> redeemed -> paid``,
or ``issued | returned -> expired`` after its validity. workflows/services/vouchers.py runs the transitions.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from applicants.validators import validate_iban, validate_kvk_number
from workflows import access

MONEY = {"max_digits": 12, "decimal_places": 2}


class Payee(models.TextChoices):
    PROVIDER = "provider", _("The provider")
    COMPANY = "company", _("The company")


class VoucherTerms(models.Model):
    """A voucher scheme's own settings; a scheme without a row uses the defaults (voucher_terms_for)."""

    scheme = models.OneToOneField("grants.Scheme", on_delete=models.CASCADE, related_name="voucher_terms")
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=6,
                                                       validators=[MinValueValidator(1)])
    payee = models.CharField(_("paid to"), max_length=10, choices=Payee, default=Payee.PROVIDER)
    face_value = models.BooleanField(
        _("fixed face value"), default=False,
        help_text=_("On: the voucher pays its value up to the invoice. Off: the scheme's co-funding percentage "
                    "of the eligible amount, up to the awarded amount."))
    invoice_after_award = models.BooleanField(_("the invoice must be dated after the award"), default=True)
    max_vouchers_per_provider = models.PositiveIntegerField(_("maximum vouchers per provider"), null=True,
                                                            blank=True)

    class Meta:
        verbose_name = _("voucher terms")
        verbose_name_plural = _("voucher terms")

    def __str__(self):
        return str(self.scheme)


class Provider(models.Model):
    """An approved provider (e.g. a circular-scan adviser) of one scheme. A provider an applicant
    proposes waits for an officer's approval (``approved_at``) before a voucher can be issued for it."""

    scheme = models.ForeignKey("grants.Scheme", on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[validate_kvk_number])
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email address"))
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban],
                            help_text=_("Needed when the scheme pays vouchers to the provider."))
    services = models.TextField(_("services"), blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kvk_number"], name="unique_provider_kvk")]

    def __str__(self):
        return self.name

    @property
    def is_approved(self):
        return self.approved_at is not None


class ProviderMembership(models.Model):
    """A person who works for a provider: they see the vouchers to be spent with it, and only those."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider membership")
        verbose_name_plural = _("provider memberships")
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="unique_provider_member")]

    def __str__(self):
        return f"{self.user} - {self.provider}"


class ProviderChoice(models.Model):
    """The provider an applicant chose for a voucher application (the project step)."""

    application = models.OneToOneField("grants.Application", on_delete=models.CASCADE,
                                       related_name="provider_choice")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.application}: {self.provider}"


class VoucherState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REDEMPTION_SUBMITTED = "redemption_submitted", _("Redemption submitted")
    RETURNED = "returned", _("Redemption returned")
    REDEEMED = "redeemed", _("Redeemed")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")


V = VoucherState
UNREDEEMED = [V.ISSUED, V.RETURNED]


def system_only(instance, user):
    # Expiry is the beat job's (actor None skips the permission check); no person may expire a voucher.
    return False


class Voucher(FSMModelMixin, models.Model):
    """The voucher an award issues: a code, a value (fixed, or a co-funding share up to ``cap``), a
    validity, the provider it is spent with and who is paid."""

    application = models.OneToOneField("grants.Application", on_delete=models.PROTECT, related_name="voucher")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="vouchers")
    code = models.CharField(_("code"), max_length=12, unique=True)
    state = FSMField(_("state"), default=V.ISSUED, choices=VoucherState, protected=True, db_index=True)
    face_value = models.BooleanField(_("fixed face value"), default=False)
    cofunding_percentage = models.PositiveSmallIntegerField(
        _("co-funding percentage"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    cap = models.DecimalField(_("value / cap"), **MONEY)
    payee = models.CharField(_("paid to"), max_length=10, choices=Payee)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), db_index=True)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    determined_amount = models.DecimalField(_("determined amount"), null=True, blank=True, **MONEY)
    # What _instruct_payment recorded (the integrator turns it into a PaymentInstruction).
    payable_amount = models.DecimalField(_("payable amount"), null=True, blank=True, **MONEY)
    payable_to = models.CharField(_("payable to"), max_length=200, blank=True)
    payable_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "state"])]

    def __str__(self):
        return self.code

    @property
    def extended(self):
        return self.extended_by_id is not None

    # --- transitions (no I/O, no save: workflows.services.vouchers runs them) ---

    @transition(field=state, source=[V.ISSUED, V.RETURNED], target=V.REDEMPTION_SUBMITTED,
                permission=access.redeems_voucher)
    def submit_redemption(self):
        pass

    @transition(field=state, source=V.REDEMPTION_SUBMITTED, target=V.RETURNED, permission=access.handles_voucher)
    def return_redemption(self):
        pass

    @transition(field=state, source=V.REDEMPTION_SUBMITTED, target=V.REDEEMED, permission=access.handles_voucher)
    def approve_redemption(self):
        pass

    @transition(field=state, source=V.REDEEMED, target=V.PAID, permission=access.pays_voucher)
    def mark_paid(self):
        pass

    @transition(field=state, source=UNREDEEMED, target=V.EXPIRED, permission=system_only)
    def expire(self):
        pass

    def can_extend(self):
        return not self.extended

    @transition(field=state, source=UNREDEEMED, target=None, permission=access.handles_voucher,
                conditions=[can_extend])
    def extend(self, *, until, by, reason):
        self.previous_valid_until = self.valid_until  # the service refuses a date that is not later
        self.valid_until = until
        self.extended_by = by
        self.extension_reason = reason


def redemption_path(instance, filename):
    return f"vouchers/{instance.voucher_id}/{uuid.uuid4().hex}"


class RedemptionOutcome(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Redemption(models.Model):
    """One submission of the provider's invoice and deliverable; a returned one stays as history."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    invoice_number = models.CharField(_("invoice number"), max_length=50)
    invoice_date = models.DateField(_("invoice date"))
    invoice_provider_kvk = models.CharField(_("KvK number on the invoice"), max_length=8,
                                            validators=[validate_kvk_number])
    amount_excl_vat = models.DecimalField(_("amount excluding VAT"), validators=[MinValueValidator(Decimal("0.01"))],
                                          **MONEY)
    amount_incl_vat = models.DecimalField(_("amount including VAT"), validators=[MinValueValidator(Decimal("0.01"))],
                                          **MONEY)
    invoice_file = models.FileField(_("invoice"), upload_to=redemption_path)
    invoice_name = models.CharField(max_length=160)
    invoice_content_type = models.CharField(max_length=100)
    deliverable_file = models.FileField(_("deliverable"), upload_to=redemption_path)
    deliverable_name = models.CharField(max_length=160)
    deliverable_content_type = models.CharField(max_length=100)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=RedemptionOutcome,
                               default=RedemptionOutcome.PENDING)
    eligible_amount = models.DecimalField(_("eligible amount"), null=True, blank=True, **MONEY)
    return_reason = models.TextField(_("reasons for returning"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"{self.voucher} {self.invoice_number}"


class VoucherLookup(models.Model):
    """Every code a provider's person looked up, found or not: guessing shows in this log."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    voucher = models.ForeignKey(Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("voucher lookup")
        verbose_name_plural = _("voucher lookups")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user}: {self.code}"
