"""The budget row and its ledger: reservations within the ceiling (partial when only part is left),
commitments, releases, ceiling changes, idempotency keys, reconciliation, and the database's own
guards (CheckConstraint, append-only ledger)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from grants.models import Budget, BudgetExceeded, LedgerEntry, LedgerKind
from grants.services import (
    budget_change_ceiling,
    budget_commit,
    budget_pay,
    budget_reconcile,
    budget_recover,
    budget_release,
    budget_release_reservation,
    budget_reserve,
    reserved_for,
)
from tests.factories import ApplicationFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def scheme_with(ceiling):
    return SchemeFactory(ceiling=Decimal(ceiling))


def application(scheme):
    return ApplicationFactory(submitted=True, scheme=scheme)


def budget_of(scheme):
    """A fresh read of the totals (budget_reconcile compares the object's totals to the ledger)."""
    return Budget.objects.get(scheme=scheme)


def test_reserve_within_the_ceiling_reserves_the_full_amount():
    scheme = scheme_with("10000.00")
    app = application(scheme)

    assert budget_reserve(application=app, amount=Decimal("1500.00")) == Decimal("1500.00")

    budget = budget_of(scheme)
    assert (budget.reserved, budget.available) == (Decimal("1500.00"), Decimal("8500.00"))
    assert list(app.ledger_entries.values_list("kind", "amount")) == [(LedgerKind.RESERVATION, Decimal("1500.00"))]


def test_reserve_grants_only_what_is_left_of_the_ceiling():
    scheme = scheme_with("2000.00")
    first, second = application(scheme), application(scheme)
    budget_reserve(application=first, amount=Decimal("1500.00"))

    assert budget_reserve(application=second, amount=Decimal("1500.00")) == Decimal("500.00")

    assert reserved_for(second) == Decimal("500.00")
    assert (budget_of(scheme).reserved, budget_of(scheme).available) == (Decimal("2000.00"), Decimal("0.00"))


def test_reserve_grants_nothing_when_the_budget_is_exhausted():
    scheme = scheme_with("1500.00")
    first, second = application(scheme), application(scheme)
    budget_reserve(application=first, amount=Decimal("1500.00"))

    assert budget_reserve(application=second, amount=Decimal("1500.00")) == Decimal("0")

    assert not second.ledger_entries.exists()
    assert budget_of(scheme).reserved == Decimal("1500.00")


def test_commit_replaces_the_reservation():
    scheme = scheme_with("10000.00")
    app = application(scheme)
    budget_reserve(application=app, amount=Decimal("1500.00"))

    budget_commit(application=app, amount=Decimal("1200.00"))

    budget = budget_of(scheme)
    assert (budget.reserved, budget.committed, budget.released) == (0, Decimal("1200.00"), Decimal("1500.00"))
    assert list(app.ledger_entries.values_list("kind", flat=True)) == [
        LedgerKind.RESERVATION, LedgerKind.RESERVATION_RELEASE, LedgerKind.COMMITMENT,
    ]


def test_commit_beyond_the_ceiling_is_refused_and_keeps_the_reservation():
    scheme = scheme_with("2000.00")
    first, second = application(scheme), application(scheme)
    budget_reserve(application=first, amount=Decimal("1500.00"))
    budget_reserve(application=second, amount=Decimal("1500.00"))  # 500.00 of it

    with pytest.raises(BudgetExceeded):
        budget_commit(application=second, amount=Decimal("1500.00"))

    budget = budget_of(scheme)
    assert (budget.reserved, budget.committed) == (Decimal("2000.00"), 0)
    assert reserved_for(second) == Decimal("500.00")


def test_release_of_a_reservation_gives_it_back_once():
    scheme = scheme_with("10000.00")
    app = application(scheme)
    budget_reserve(application=app, amount=Decimal("1500.00"))

    assert budget_release_reservation(application=app, reason="rejected") == Decimal("1500.00")
    assert budget_release_reservation(application=app, reason="rejected") == 0

    budget = budget_of(scheme)
    assert (budget.reserved, budget.released, budget.available) == (0, Decimal("1500.00"), Decimal("10000.00"))


def test_release_of_a_commitment_lowers_it_and_refuses_more_than_committed():
    scheme = scheme_with("10000.00")
    app = application(scheme)
    budget_commit(application=app, amount=Decimal("1500.00"))

    budget_release(application=app, amount=Decimal("500.00"), key=f"application:{app.pk}:lowered")
    with pytest.raises(BudgetExceeded):
        budget_release(application=app, amount=Decimal("1000.01"), key=f"application:{app.pk}:revoked")

    budget = budget_of(scheme)
    assert (budget.committed, budget.released) == (Decimal("1000.00"), Decimal("500.00"))


def test_ceiling_change_below_reserved_plus_committed_is_refused():
    scheme = scheme_with("10000.00")
    budget_reserve(application=application(scheme), amount=Decimal("1500.00"))
    budget_commit(application=application(scheme), amount=Decimal("2000.00"))

    with pytest.raises(BudgetExceeded):
        budget_change_ceiling(scheme=scheme, ceiling=Decimal("3499.99"), actor=None, key="ceiling:cut:1")

    assert budget_of(scheme).ceiling == Decimal("10000.00")
    assert not LedgerEntry.objects.filter(idempotency_key="ceiling:cut:1").exists()


def test_ceiling_change_down_to_reserved_plus_committed_is_booked():
    scheme = scheme_with("10000.00")
    budget_reserve(application=application(scheme), amount=Decimal("1500.00"))
    budget_commit(application=application(scheme), amount=Decimal("2000.00"))

    budget_change_ceiling(scheme=scheme, ceiling=Decimal("3500.00"), actor=UserFactory(), key="ceiling:cut:1")

    budget = budget_of(scheme)
    assert (budget.ceiling, budget.available) == (Decimal("3500.00"), 0)
    assert budget_reconcile(budget) == {}


def test_same_idempotency_key_posted_twice_moves_money_once():
    scheme = scheme_with("10000.00")
    app = application(scheme)
    budget_commit(application=app, amount=Decimal("1500.00"))

    first = budget_pay(application=app, amount=Decimal("1500.00"), key=f"application:{app.pk}:payment")
    again = budget_pay(application=app, amount=Decimal("1500.00"), key=f"application:{app.pk}:payment")

    assert first.pk == again.pk
    assert budget_of(scheme).paid == Decimal("1500.00")
    assert app.ledger_entries.filter(kind=LedgerKind.PAYMENT).count() == 1


def test_reconcile_is_empty_after_a_sequence_of_money_events():
    scheme = scheme_with("5000.00")
    awarded, rejected, queued = application(scheme), application(scheme), application(scheme)
    for app in (awarded, rejected, queued):
        budget_reserve(application=app, amount=Decimal("2000.00"))  # the third gets 1000.00
    budget_commit(application=awarded, amount=Decimal("1800.00"))
    budget_release_reservation(application=rejected, reason="rejected")
    budget_pay(application=awarded, amount=Decimal("900.00"), key="advance:1", advance=True)
    budget_release(application=awarded, amount=Decimal("300.00"), key="lowered:1")
    budget_pay(application=awarded, amount=Decimal("600.00"), key="payment:1")
    budget_recover(application=awarded, amount=Decimal("100.00"), key="recovery:1")
    budget_change_ceiling(scheme=scheme, ceiling=Decimal("6000.00"), actor=None, key="ceiling:raise:1")

    budget = budget_of(scheme)
    assert (budget.reserved, budget.committed, budget.paid) == (Decimal("1000.00"), Decimal("1500.00"), 1500)
    assert budget_reconcile(budget) == {}


def test_reconcile_reports_a_total_tampered_with_outside_the_service():
    scheme = scheme_with("10000.00")
    budget_reserve(application=application(scheme), amount=Decimal("1500.00"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Budget._meta.db_table} SET reserved = reserved + 10 WHERE scheme_id = %s", [scheme.pk])

    assert budget_reconcile(budget_of(scheme)) == {"reserved": (Decimal("1510.00"), Decimal("1500.00"))}


def test_check_constraint_refuses_reserved_plus_committed_above_the_ceiling_on_a_raw_update():
    scheme = scheme_with("10000.00")
    budget_reserve(application=application(scheme), amount=Decimal("1500.00"))

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Budget._meta.db_table} SET committed = ceiling - reserved + 0.01 WHERE scheme_id = %s",
            [scheme.pk],
        )

    assert budget_of(scheme).committed == 0


def test_ledger_entry_update_fails():
    scheme = scheme_with("10000.00")
    entry = LedgerEntry.objects.get(budget__scheme=scheme)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("99999.00"))

    entry.refresh_from_db()
    assert entry.amount == Decimal("10000.00")


def test_ledger_entry_delete_fails():
    scheme = scheme_with("10000.00")
    entry = LedgerEntry.objects.get(budget__scheme=scheme)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()

    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
