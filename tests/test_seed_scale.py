"""The benchmark's data set (manage.py seed_scale) at a small size: its shape, its books and its counts are
what the benchmark relies on, and ``manage.py bench`` runs on it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from grants import state_counts
from grants.models import (
    Application,
    ApplicationState,
    Attachment,
    Budget,
    CostLine,
    DecisionLetter,
    LedgerEntry,
    Message,
    Organisation,
    PlannedIndicator,
    Scheme,
)


@pytest.mark.django_db
def test_seed_scale_builds_a_region_that_reconciles_and_that_bench_can_time():
    call_command("seed_scale", applications=600, stdout=StringIO())

    assert Organisation.objects.count() == 50 and Scheme.objects.count() == 500
    assert Budget.objects.count() == 500
    assert Application.objects.count() == 600
    largest = Application.objects.filter(organisation__code="S01").count()
    assert 80 <= largest <= 160  # a fifth of 600, give or take chance
    states = set(Application.objects.values_list("state", flat=True))
    assert {ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.AWARDED} <= states
    assert LedgerEntry.objects.filter(application__state=ApplicationState.AWARDED).exists()
    # A submitted case holds what its page lists: two cost lines, two planned results, a project plan and, once
    # decided, its letter.
    submitted = Application.objects.exclude(state=ApplicationState.DRAFT)
    assert CostLine.objects.count() == 2 * submitted.count() == 2 * Attachment.objects.count()
    assert PlannedIndicator.objects.count() == 2 * submitted.count()
    decided = [ApplicationState.AWARDED, ApplicationState.REJECTED, ApplicationState.NOT_CONSIDERED]
    assert DecisionLetter.objects.count() == submitted.filter(state__in=decided).count()
    assert not CostLine.objects.filter(application__state=ApplicationState.DRAFT).exists()
    assert Message.objects.filter(from_staff=True).count() == Message.objects.filter(from_staff=False).count() > 0

    call_command("budget_reconcile", stdout=StringIO())  # raises on any difference with the ledger

    # The per-state counts (folded after loading) equal a count over the applications.
    org_ids = list(Organisation.objects.values_list("pk", flat=True))
    counted = {row["state"]: row["n"] for row in Application.objects.exclude(state=ApplicationState.DRAFT)
               .values("state").annotate(n=Count("*")).order_by()}
    assert {s: n for s, n in state_counts.per_state(org_ids).items() if n} == counted

    with pytest.raises(Exception, match="already holds"):
        call_command("seed_scale", applications=10, stdout=StringIO())

    out = StringIO()
    call_command("bench", requests=2, warmup=1, only=["case page", "queue"], stdout=out)
    table = out.getvalue()
    assert "| Case page |" in table and "| Officer queue, largest municipality (default) |" in table
    assert "Applicant home" not in table  # --only leaves the other pages out
