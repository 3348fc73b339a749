"""The budget: the only code that writes Budget totals, and always with a ledger row.

Every money event is a LedgerEntry with a unique idempotency key; posting the same key twice
returns the first entry and moves nothing. Totals move by conditional UPDATEs that cannot pass the
ceiling (``reserved + committed <= ceiling``), with the database CheckConstraint behind them.
Callers run inside their own transaction (the transition service's) so that the money moves with
the state change or not at all.

    budget_open(scheme, ceiling)            the budget row and its opening ceiling entry
    budget_reserve(application, amount)     reserve up to the amount still available (partial allowed)
    budget_release_reservation(...)         give a reservation back
    budget_commit(application, amount)      award: the commitment replaces the reservation
    budget_release(application, amount)     lower or withdraw a commitment
    budget_pay(...), budget_recover(...)    payments (advance or final) and recoveries
    budget_change_ceiling(scheme, ceiling)  refuses to go below reserved + committed
    scheme_set_ceiling(scheme, ceiling)     opens the budget or changes its ceiling (admin and manage pages)
    budget_reconcile(budget)                differences between the totals and the ledger sums
"""

import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from .models import Budget, BudgetExceeded, LedgerEntry, LedgerKind

ZERO = Decimal("0.00")

# Which total each kind of entry moves, and in which direction.
EFFECTS = {
    LedgerKind.RESERVATION: {"reserved": +1},
    LedgerKind.RESERVATION_RELEASE: {"reserved": -1, "released": +1},
    LedgerKind.COMMITMENT: {"committed": +1},
    LedgerKind.RELEASE: {"committed": -1, "released": +1},
    LedgerKind.ADVANCE: {"paid": +1},
    LedgerKind.PAYMENT: {"paid": +1},
    LedgerKind.RECOVERY: {"recovered": +1},
    LedgerKind.CEILING_CHANGE: {"ceiling": +1},
}


def _post(*, budget_id, kind, amount, key, application=None, actor=None, note="", guard=None):
    """Write one ledger entry and move the totals, or nothing if ``key`` was posted before."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    updates = {field: F(field) + sign * amount for field, sign in EFFECTS[kind].items()}
    rows = Budget.objects.filter(pk=budget_id, **(guard or {})).update(**updates)
    if rows != 1:
        raise BudgetExceeded(_("The budget ceiling of this scheme cannot cover this amount."))
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                budget_id=budget_id, kind=kind, amount=amount, idempotency_key=key,
                application=application, created_by=actor, note=note,
            )
    except IntegrityError:
        raise BudgetExceeded(_("This money event was already booked.")) from None


def budget_lock(scheme_id):
    """Lock and return the budget row of a scheme for the rest of the transaction."""
    # select_for_update serialises concurrent reservations on PostgreSQL; SQLite's IMMEDIATE
    # transactions already hold the single write lock.
    return Budget.objects.select_for_update().get(scheme_id=scheme_id)


def budget_open(*, scheme, ceiling, actor=None):
    """Create the budget row of ``scheme`` with its opening ceiling (idempotent per scheme)."""
    with transaction.atomic():
        budget, created = Budget.objects.get_or_create(scheme=scheme, defaults={"ceiling": ZERO})
        if created:
            _post(budget_id=budget.pk, kind=LedgerKind.CEILING_CHANGE, amount=ceiling,
                  key=f"scheme:{scheme.pk}:ceiling:open", actor=actor, note="opening ceiling")
            budget.refresh_from_db()
        return budget


def budget_reserve(*, application, amount, actor=None):
    """Reserve ``amount`` for ``application`` or as much as is still available (Awb 4:25: refused
    to the extent it exceeds the ceiling). Returns the reserved amount, ZERO when nothing is left."""
    with transaction.atomic():
        budget = budget_lock(application.scheme_id)
        granted = min(Decimal(amount), budget.available)
        if granted <= ZERO:
            return ZERO
        _post(budget_id=budget.pk, kind=LedgerKind.RESERVATION, amount=granted,
              key=f"application:{application.pk}:reservation:{application_reservation_round(application)}",
              application=application, actor=actor,
              guard={"ceiling__gte": F("reserved") + F("committed") + granted})
        return granted


def application_reservation_round(application):
    return LedgerEntry.objects.filter(application=application, kind=LedgerKind.RESERVATION).count()


def reserved_for(application):
    """What is still reserved for ``application`` (reservations minus their releases)."""
    sums = dict(
        LedgerEntry.objects.filter(
            application=application, kind__in=[LedgerKind.RESERVATION, LedgerKind.RESERVATION_RELEASE]
        ).values("kind").annotate(total=Sum("amount")).values_list("kind", "total")
    )
    return sums.get(LedgerKind.RESERVATION, ZERO) - sums.get(LedgerKind.RESERVATION_RELEASE, ZERO)


def committed_for(application):
    sums = dict(
        LedgerEntry.objects.filter(application=application, kind__in=[LedgerKind.COMMITMENT, LedgerKind.RELEASE])
        .values("kind").annotate(total=Sum("amount")).values_list("kind", "total")
    )
    return sums.get(LedgerKind.COMMITMENT, ZERO) - sums.get(LedgerKind.RELEASE, ZERO)


def budget_reflow(*, scheme_id, actor=None):
    """Let budget that became available flow to the undecided applications in order of completeness
    (first come, first served): each gets up to what it still misses, until nothing is left. Returns
    {application_id: added amount}. Called after a release (withdrawal, rejection, lower award)."""
    from .models import Application, DistributionMethod
    from .models.applications import OPEN_STATES

    with transaction.atomic():
        budget = budget_lock(scheme_id)
        if budget.scheme.distribution != DistributionMethod.FIRST_COME or budget.available <= ZERO:
            return {}
        waiting = Application.objects.filter(scheme_id=scheme_id, state__in=OPEN_STATES).order_by("completed_at", "pk")
        added = {}
        for application in waiting:
            missing = application.requested_amount - reserved_for(application)
            if missing <= ZERO:
                continue
            granted = budget_reserve(application=application, amount=missing, actor=actor)
            if granted <= ZERO:
                break
            added[application.pk] = granted
        return added


def budget_release_reservation(*, application, actor=None, reason=""):
    """Give back whatever is still reserved for ``application``. Returns the released amount."""
    with transaction.atomic():
        budget = budget_lock(application.scheme_id)
        amount = reserved_for(application)
        if amount <= ZERO:
            return ZERO
        _post(budget_id=budget.pk, kind=LedgerKind.RESERVATION_RELEASE, amount=amount,
              key=f"application:{application.pk}:reservation-release:{application_reservation_round(application)}",
              application=application, actor=actor, note=reason)
        return amount


def budget_commit(*, application, amount, actor=None, key=None):
    """Commit ``amount`` for an award; its reservation is released first, so the commitment takes
    its place. Raises BudgetExceeded when the ceiling cannot cover the rest. ``key`` names a further
    commitment for the same application (e.g. a higher award after an objection)."""
    with transaction.atomic():
        budget_release_reservation(application=application, actor=actor, reason="replaced by commitment")
        budget = budget_lock(application.scheme_id)
        amount = Decimal(amount)
        _post(budget_id=budget.pk, kind=LedgerKind.COMMITMENT, amount=amount,
              key=key or f"application:{application.pk}:commitment", application=application, actor=actor,
              guard={"ceiling__gte": F("reserved") + F("committed") + amount})
        return amount


def budget_release(*, application, amount, key, actor=None, reason=""):
    """Release part or all of a commitment (lower determination, revocation, expiry)."""
    with transaction.atomic():
        budget = budget_lock(application.scheme_id)
        amount = Decimal(amount)
        if amount > committed_for(application):
            raise BudgetExceeded(_("More cannot be released than is committed."))
        return _post(budget_id=budget.pk, kind=LedgerKind.RELEASE, amount=amount, key=key,
                     application=application, actor=actor, note=reason)


def budget_pay(*, application, amount, key, advance=False, actor=None, note=""):
    with transaction.atomic():
        budget = budget_lock(application.scheme_id)
        kind = LedgerKind.ADVANCE if advance else LedgerKind.PAYMENT
        return _post(budget_id=budget.pk, kind=kind, amount=amount, key=key, application=application,
                     actor=actor, note=note)


def budget_recover(*, application, amount, key, actor=None, note=""):
    with transaction.atomic():
        budget = budget_lock(application.scheme_id)
        return _post(budget_id=budget.pk, kind=LedgerKind.RECOVERY, amount=amount, key=key,
                     application=application, actor=actor, note=note)


def budget_change_ceiling(*, scheme, ceiling, actor, key):
    """Set a new ceiling; refused below what is reserved and committed."""
    with transaction.atomic():
        budget = budget_lock(scheme.pk)
        ceiling = Decimal(ceiling)
        if ceiling < budget.reserved + budget.committed:
            raise BudgetExceeded(
                _("The ceiling cannot be lower than what is already reserved and committed (%(amount)s).")
                % {"amount": budget.reserved + budget.committed}
            )
        delta = ceiling - budget.ceiling
        # A lower ceiling is a negative ceiling change; EFFECTS adds the signed amount.
        return _post(budget_id=budget.pk, kind=LedgerKind.CEILING_CHANGE, amount=delta, key=key,
                     actor=actor, note="ceiling changed")


def scheme_set_ceiling(*, scheme, ceiling, actor):
    """Open the budget of a saved ``scheme`` with ``ceiling``, or move its ceiling there (a ceiling-change
    ledger entry with a key of its own; nothing when unchanged). Raises BudgetExceeded below what is
    already reserved and committed."""
    with transaction.atomic():
        budget = Budget.objects.filter(scheme=scheme).first()
        if budget is None:
            return budget_open(scheme=scheme, ceiling=ceiling, actor=actor)
        if budget.ceiling != Decimal(ceiling):
            budget_change_ceiling(scheme=scheme, ceiling=ceiling, actor=actor,
                                  key=f"scheme:{scheme.pk}:ceiling:{uuid.uuid4().hex}")
        return Budget.objects.get(pk=budget.pk)


def budget_reconcile(budget):
    """Return {total: (stored, from ledger)} for every total that differs from its ledger sum."""
    sums = dict(budget.entries.values("kind").annotate(total=Sum("amount")).values_list("kind", "total"))
    expected = {"ceiling": ZERO, "reserved": ZERO, "committed": ZERO, "paid": ZERO, "released": ZERO, "recovered": ZERO}
    for kind, effects in EFFECTS.items():
        for field, sign in effects.items():
            expected[field] += sign * sums.get(kind, ZERO)
    return {
        field: (getattr(budget, field), value)
        for field, value in expected.items()
        if getattr(budget, field) != value
    }
