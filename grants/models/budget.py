from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .schemes import Scheme

ZERO = Decimal("0.00")


class BudgetExceeded(Exception):
    """The ceiling cannot cover the amount (Awb 4:25)."""


class Budget(models.Model):
    """The money of one scheme. Written only by grants.services.budget (never by the admin).

    reserved and committed are outstanding amounts; released, paid and recovered are cumulative.
    """

    scheme = models.OneToOneField(Scheme, on_delete=models.PROTECT, related_name="budget")
    ceiling = models.DecimalField(_("budget ceiling"), max_digits=14, decimal_places=2)
    reserved = models.DecimalField(_("reserved"), max_digits=14, decimal_places=2, default=ZERO)
    committed = models.DecimalField(_("committed"), max_digits=14, decimal_places=2, default=ZERO)
    paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=ZERO)
    released = models.DecimalField(_("released"), max_digits=14, decimal_places=2, default=ZERO)
    recovered = models.DecimalField(_("recovered"), max_digits=14, decimal_places=2, default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            # The last line of defence behind the conditional updates in the budget service.
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(committed__gte=0) & Q(ceiling__gte=0),
                name="budget_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ceiling__gte=F("reserved") + F("committed")), name="budget_within_ceiling"
            ),
        ]

    def __str__(self):
        return f"{self.scheme}: {self.ceiling}"

    @property
    def available(self):
        return self.ceiling - self.reserved - self.committed


class LedgerKind(models.TextChoices):
    RESERVATION = "reservation", _("Reservation")
    RESERVATION_RELEASE = "reservation_release", _("Reservation released")
    COMMITMENT = "commitment", _("Commitment")
    RELEASE = "release", _("Commitment released")
    ADVANCE = "advance", _("Advance")
    PAYMENT = "payment", _("Payment")
    RECOVERY = "recovery", _("Recovery")
    CEILING_CHANGE = "ceiling_change", _("Ceiling changed")


class LedgerEntry(models.Model):
    """One money event. Amounts are positive; the kind says which total moves (grants.services.budget)."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    application = models.ForeignKey(
        "grants.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["budget", "kind"]), models.Index(fields=["application", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"
