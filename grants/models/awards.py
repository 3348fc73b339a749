"""Awards (verleningen) after an approved decision, their recoveries and their de minimis shares.

An Award changes state only through workflows.services.awards; its transitions set the fields that
follow from them, nothing more. Money moves through grants.services (the one ledger).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from workflows import access

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class AwardState(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DETERMINED = "determined", _("Determined")
    SETTLED = "settled", _("Settled")
    REVOCATION_PROPOSED = "revocation_proposed", _("Revocation proposed")
    REVOKED = "revoked", _("Revoked or lowered")


A = AwardState
REVOCABLE = [A.GRANTED, A.DETERMINED, A.SETTLED]


class Award(FSMModelMixin, models.Model):
    """One per awarded application: the amount awarded, the advance and the final (determined) amount.

    Vouchers and pilot grants extend this machine with their own states; ``revoked`` covers both the
    withdrawal and the lowering of an award (Awb 4:48-4:49): ``amount`` then holds the new amount.
    """

    application = models.OneToOneField("grants.Application", on_delete=models.PROTECT, related_name="award")
    state = FSMField(_("state"), default=A.GRANTED, choices=AwardState, protected=True, db_index=True)
    amount = models.DecimalField(_("awarded amount"), **MONEY)
    advance_amount = models.DecimalField(_("advance"), default=ZERO, **MONEY)
    determined_amount = models.DecimalField(_("determined amount"), null=True, blank=True, **MONEY)
    granted_on = models.DateField(_("grant date"), db_index=True)
    determined_on = models.DateField(_("determined on"), null=True, blank=True)
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    determination_motivation = models.TextField(_("motivation of the determination"), blank=True)
    # A proposed revocation or lowering, waiting for a manager (four-eyes).
    revocation_amount = models.DecimalField(_("new amount after revocation"), null=True, blank=True, **MONEY)
    revocation_reason = models.TextField(_("reason for the revocation"), blank=True)
    revocation_source = models.CharField(max_length=20, choices=AwardState, blank=True)
    revocation_proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="+")
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(advance_amount__lte=models.F("amount")), name="award_advance_le_amount"),
            models.CheckConstraint(
                condition=Q(determined_amount__isnull=True) | Q(determined_amount__lte=models.F("amount")),
                name="award_determined_le_amount",
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.amount}"

    @property
    def final_amount(self):
        return self.determined_amount if self.determined_amount is not None else self.amount

    # --- transitions (no I/O, no save: workflows.services.awards runs them) ---

    @transition(field=state, source=A.GRANTED, target=A.DETERMINED, permission=access.handles_award)
    def determine(self, *, by, on, amount, motivation=""):
        """Awb 4:46: the final amount, never above the award."""
        self.determined_amount = amount
        self.determined_on = on
        self.determined_by = by
        self.determination_motivation = motivation

    @transition(
        field=state, source=[A.GRANTED, A.DETERMINED],
        target=GET_STATE(lambda self, *, amount, direct, **kw: A.REVOKED if amount == ZERO
                         else (A.DETERMINED if direct else A.GRANTED), states=[A.GRANTED, A.DETERMINED, A.REVOKED]),
        permission=lambda award, user: access.reconsiders_case(award.application, user),
    )
    def reconsider(self, *, by, on, amount, advance, direct, reason):
        """A founded objection replaced the decision (Awb 7:11): the award follows the new amount; a new
        decision that rejects leaves nothing of it (state revoked, amount zero)."""
        self.amount = amount
        self.advance_amount = advance
        self.determined_amount = amount if direct else None
        self.determined_on = on if direct else None
        self.determined_by = by if direct else None
        if amount == ZERO:
            self.revoked_by, self.revoked_on, self.revocation_reason = by, on, reason

    @transition(field=state, source=A.DETERMINED, target=A.SETTLED)
    def settle(self):
        """System step: every payment made and every recovery settled."""

    @transition(field=state, source=REVOCABLE, target=A.REVOCATION_PROPOSED, permission=access.handles_award)
    def propose_revocation(self, *, by, amount, reason):
        self.revocation_source = self.state
        self.revocation_proposed_by = by
        self.revocation_amount = amount
        self.revocation_reason = reason

    @transition(field=state, source=A.REVOCATION_PROPOSED,
                target=GET_STATE(lambda self, **kw: self.revocation_source, states=REVOCABLE),
                permission=access.approves_revocation)
    def reject_revocation(self, *, by):
        self.revocation_amount = None
        self.revocation_proposed_by = None

    @transition(field=state, source=A.REVOCATION_PROPOSED, target=A.REVOKED, permission=access.approves_revocation)
    def revoke(self, *, by, on):
        """Awb 4:48-4:49: withdrawn (amount 0) or lowered; the new amount is final."""
        self.revoked_by = by
        self.revoked_on = on
        self.amount = self.revocation_amount
        self.determined_amount = self.revocation_amount
        self.advance_amount = min(self.advance_amount, self.amount)


class RecoveryState(models.TextChoices):
    OPEN = "open", _("Open")
    SETTLED = "settled", _("Settled")


class RecoveryMethod(models.TextChoices):
    PAYMENT = "payment", _("Paid back")
    SET_OFF = "set_off", _("Set off against another payment")


class Recovery(FSMModelMixin, models.Model):
    """A recovery (terugvordering) of what was paid above the final amount (Awb 4:57, 4:95)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    state = FSMField(_("state"), default=RecoveryState.OPEN, choices=RecoveryState, protected=True)
    method = models.CharField(_("settled by"), max_length=10, choices=RecoveryMethod, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    set_off_instruction = models.OneToOneField(
        "grants.PaymentInstruction", on_delete=models.PROTECT, null=True, blank=True, related_name="set_off_recovery"
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_positive")]

    def __str__(self):
        return f"{self.award.application}: {self.amount}"

    @transition(field=state, source=RecoveryState.OPEN, target=RecoveryState.SETTLED,
                permission=access.handles_recovery)
    def register_payment(self, *, on):
        self.method = RecoveryMethod.PAYMENT
        self.settled_on = on

    @transition(field=state, source=RecoveryState.OPEN, target=RecoveryState.SETTLED,
                permission=access.handles_recovery)
    def set_off(self, *, on):
        """The service sets ``set_off_instruction`` after checking and locking that instruction."""
        self.method = RecoveryMethod.SET_OFF
        self.settled_on = on


class DeMinimisShare(models.Model):
    """The de minimis aid one undertaking receives through an award (EU 2023/2831): the lead applicant's
    share and each consortium partner's (DOMAIN 11a). The rows are what the rolling three-year check
    sums and what the central register export lists (DOMAIN 10, 11)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="de_minimis_shares")
    kvk_number = models.CharField(_("KvK number"), max_length=8, db_index=True)
    company = models.ForeignKey("applicants.Company", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="de_minimis_shares")
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("gross amount"), **MONEY)
    granted_on = models.DateField(_("grant date"), db_index=True)

    class Meta:
        verbose_name = _("de minimis share")
        verbose_name_plural = _("de minimis shares")
        constraints = [models.UniqueConstraint(fields=["award", "kvk_number"], name="unique_de_minimis_share")]

    def __str__(self):
        return f"{self.name}: {self.amount}"
