"""Payment instructions, the batches that pay them, the municipality's paying account and the
four-eyes IBAN change of a company. Written only by workflows.services.payments."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from applicants.validators import validate_iban
from workflows import access

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    REMAINDER = "remainder", _("Remainder after determination")
    # Paid when a pilot's milestone report is accepted (the scheme's percentage of the award); like an
    # advance, it is paid before the final determination and counted against it.
    TRANCHE = "tranche", _("Milestone tranche")


class InstructionState(models.TextChoices):
    OPEN = "open", _("Ready for a batch")
    BATCHED = "batched", _("In a batch")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


I = InstructionState  # noqa: E741


class PaymentInstruction(FSMModelMixin, models.Model):
    """One payment an approved decision orders. ``amount`` is gross; ``set_off_amount`` is a recovery of
    another award of the same company set off against it, so the bank transfers ``net_amount``.
    Its idempotency key (award and kind) makes a second instruction for the same payment impossible."""

    award = models.ForeignKey("grants.Award", on_delete=models.PROTECT, related_name="payment_instructions")
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind)
    milestone = models.ForeignKey("grants.Milestone", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="payment_instructions", verbose_name=_("milestone"))
    amount = models.DecimalField(_("amount"), **MONEY)
    set_off_amount = models.DecimalField(_("set off"), default=ZERO, **MONEY)
    payee_name = models.CharField(_("payee"), max_length=200)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    description = models.CharField(_("description"), max_length=140)
    state = FSMField(_("state"), default=I.OPEN, choices=InstructionState, protected=True, db_index=True)
    batch = models.ForeignKey("grants.PaymentBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="instructions")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment instruction")
        verbose_name_plural = _("payment instructions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="instruction_positive"),
            models.CheckConstraint(condition=Q(set_off_amount__gte=0) & Q(set_off_amount__lte=models.F("amount")),
                                   name="instruction_set_off_within_amount"),
            # Nothing is paid twice: one advance and one remainder per award, one tranche per milestone,
            # whatever the caller does.
            models.UniqueConstraint(fields=["award", "kind"], condition=~Q(state=I.CANCELLED) & ~Q(kind="tranche"),
                                    name="unique_live_instruction_per_award_kind"),
            models.UniqueConstraint(fields=["milestone"], condition=~Q(state=I.CANCELLED),
                                    name="unique_live_instruction_per_milestone"),
            models.CheckConstraint(condition=(Q(kind="tranche") & Q(milestone__isnull=False))
                                   | (~Q(kind="tranche") & Q(milestone__isnull=True)),
                                   name="tranche_instruction_has_milestone"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} -> {self.payee_name}"

    @property
    def net_amount(self):
        return self.amount - self.set_off_amount

    @property
    def end_to_end_id(self):
        # Stable per instruction: the bank refuses a second transfer with the same end-to-end id.
        return f"GD{self.pk:010d}"

    # Moved along by the batch's transitions inside the batch service's transaction.
    @transition(field=state, source=I.OPEN, target=I.BATCHED)
    def add_to_batch(self, *, batch):
        self.batch = batch

    @transition(field=state, source=I.BATCHED, target=I.OPEN)
    def remove_from_batch(self):
        self.batch = None

    @transition(field=state, source=I.BATCHED, target=I.PAID)
    def mark_paid(self, *, on):
        self.paid_on = on

    @transition(field=state, source=I.OPEN, target=I.CANCELLED)
    def cancel(self):
        pass


class BatchState(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


B = BatchState


class PaymentBatch(FSMModelMixin, models.Model):
    """Instructions of one municipality paid together: prepared by an officer, approved by a manager
    who is not the preparer (four-eyes), exported (CSV, SEPA pain.001) and marked paid."""

    organisation = models.ForeignKey("grants.Organisation", on_delete=models.PROTECT, related_name="payment_batches")
    reference = models.CharField(_("reference"), max_length=35, unique=True)
    state = FSMField(_("state"), default=B.PREPARED, choices=BatchState, protected=True, db_index=True)
    execution_date = models.DateField(_("requested execution date"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.reference

    @transition(field=state, source=B.PREPARED, target=B.APPROVED, permission=access.approves_batch)
    def approve(self, *, by):
        self.approved_by = by

    @transition(field=state, source=[B.PREPARED, B.APPROVED], target=B.CANCELLED, permission=access.handles_batch)
    def cancel(self):
        pass

    @transition(field=state, source=B.APPROVED, target=B.PAID, permission=access.handles_batch)
    def mark_paid(self, *, on):
        self.paid_on = on


class PaymentAccount(models.Model):
    """The municipality's account the SEPA credit transfers are paid from (the debtor)."""

    organisation = models.OneToOneField("grants.Organisation", on_delete=models.CASCADE,
                                        related_name="payment_account")
    name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")

    def __str__(self):
        return f"{self.name} ({self.iban})"


class IbanChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class IbanChange(FSMModelMixin, models.Model):
    """A new IBAN for a company. It takes effect (Company.iban) only when a second person confirms it:
    another owner of the company, or an officer of a municipality that awarded the company."""

    company = models.ForeignKey("applicants.Company", on_delete=models.CASCADE, related_name="iban_changes")
    old_iban = models.CharField(_("old IBAN"), max_length=34)
    new_iban = models.CharField(_("new IBAN"), max_length=34, validators=[validate_iban])
    state = FSMField(_("state"), default=IbanChangeState.PENDING, choices=IbanChangeState, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("IBAN change")
        verbose_name_plural = _("IBAN changes")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["company"], condition=Q(state=IbanChangeState.PENDING),
                                               name="one_pending_iban_change_per_company")]

    def __str__(self):
        return f"{self.company}: {self.new_iban}"

    @transition(field=state, source=IbanChangeState.PENDING, target=IbanChangeState.CONFIRMED,
                permission=access.confirms_iban_change)
    def confirm(self, *, by, at):
        self.confirmed_by = by
        self.decided_at = at

    @transition(field=state, source=IbanChangeState.PENDING, target=IbanChangeState.CANCELLED,
                permission=access.cancels_iban_change)
    def cancel(self, *, at):
        self.decided_at = at
