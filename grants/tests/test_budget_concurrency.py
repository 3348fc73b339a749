"""Never overspent under concurrent submissions, reservations and approvals (PostgreSQL only: SQLite
serialises every writer anyway). Each thread has its own connection and transaction."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from grants.models import ApplicationState, Budget, StaffRole
from grants.services import budget_reconcile, budget_reserve, committed_for, reserved_for
from notifications import tasks
from notifications.models import Outbox
from tests.factories import ApplicantFactory, ApplicationFactory, CompleteApplicationFactory, SchemeFactory, make_staff
from workflows.services import application_approve, application_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def broker():
    """These transactions commit, so their outbox relays run: record the hand-outs instead of
    publishing to the real broker."""
    with mock.patch.object(tasks.outbox_deliver, "delay") as delay:
        yield delay

THREADS = 20
# 20 requests of 1,500.00 against 10,000.00: six in full, one in part, thirteen not at all.
CEILING = Decimal("10000.00")


def run_in_threads(target, count=THREADS):
    """Run target(i) for i in range(count) at once; returns {i: result or exception}."""
    barrier = threading.Barrier(count)
    results = {}

    def run(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == count
    return results


def test_concurrent_submissions_never_reserve_beyond_the_ceiling(org_x, broker):
    scheme = SchemeFactory(organisation=org_x, ceiling=CEILING)
    applicants = ApplicantFactory.create_batch(THREADS)
    drafts = [CompleteApplicationFactory(scheme=scheme, company=a.test_company, created_by=a) for a in applicants]

    results = run_in_threads(lambda i: application_submit(application_id=drafts[i].pk, actor=applicants[i]))

    assert [r for r in results.values() if isinstance(r, Exception)] == []
    budget = Budget.objects.get(scheme=scheme)
    assert budget.reserved == CEILING
    assert budget_reconcile(budget) == {}
    granted = sorted((reserved_for(draft) for draft in drafts), reverse=True)
    assert sum(granted) == budget.reserved
    assert granted[:7] == [Decimal("1500.00")] * 6 + [Decimal("1000.00")] and set(granted[7:]) == {0}
    # Each committed submission relayed its receipt to the broker once.
    handed = sorted(pk for c in broker.call_args_list for pk in c.args[0])
    assert handed == sorted(Outbox.objects.values_list("pk", flat=True))
    assert broker.call_count == THREADS


def test_concurrent_reservations_grant_exactly_what_the_ceiling_covers():
    scheme = SchemeFactory(ceiling=CEILING)
    applications = ApplicationFactory.create_batch(THREADS, submitted=True, scheme=scheme)

    results = run_in_threads(lambda i: budget_reserve(application=applications[i], amount=Decimal("1500.00")))

    assert sorted(results.values(), reverse=True) == [Decimal("1500.00")] * 6 + [Decimal("1000.00")] + [0] * 13
    budget = Budget.objects.get(scheme=scheme)
    assert budget.reserved == sum(results.values()) == CEILING
    assert budget_reconcile(budget) == {}


def test_concurrent_approvals_never_commit_beyond_the_ceiling(org_x):
    scheme = SchemeFactory(organisation=org_x, ceiling=CEILING)
    manager = make_staff(org_x, StaffRole.MANAGER)
    proposals = ApplicationFactory.create_batch(THREADS, proposed=True, scheme=scheme)

    results = run_in_threads(lambda i: application_approve(application_id=proposals[i].pk, actor=manager))

    # Awb 4:25, whatever the order the threads ran in: each decision follows the reservations made in order
    # of completeness, so six awards in full, one in part and thirteen refusals for the ceiling.
    assert [r for r in results.values() if isinstance(r, Exception)] == []
    budget = Budget.objects.get(scheme=scheme)
    assert budget.committed == sum(committed_for(p) for p in proposals) == CEILING
    assert budget_reconcile(budget) == {}
    for proposal in proposals:
        proposal.refresh_from_db()
    in_line = sorted(proposals, key=lambda p: (p.completed_at, p.pk))
    assert [(p.state, p.awarded_amount) for p in in_line] == (
        [(ApplicationState.AWARDED, Decimal("1500.00"))] * 6 + [(ApplicationState.AWARDED, Decimal("1000.00"))]
        + [(ApplicationState.REJECTED, None)] * 13)
    assert {p.rejection_reason for p in in_line[6:]} == {"ceiling_reached"}
