"""The per-state counts the database keeps (grants/state_counts.py, migration 0014) always equal a count
over the applications themselves: after inserts, transitions, deletes and a folding, on SQLite and
PostgreSQL, and (PostgreSQL) when a folding runs beside a transaction that has not committed yet."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Count

from grants import state_counts
from grants.models import Application, ApplicationState, ApplicationStateCount
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompleteApplicationFactory,
    SchemeFactory,
    make_staff,
)
from workflows.services import application_start_review, application_submit, application_withdraw


def counted(organisations):
    rows = (Application.objects.filter(organisation__in=organisations).exclude(state=ApplicationState.DRAFT)
            .values("state").annotate(n=Count("*")).order_by())
    return {row["state"]: row["n"] for row in rows}


def kept(organisations):
    return {state: n for state, n in state_counts.per_state([o.pk for o in organisations]).items() if n}


@pytest.mark.django_db
def test_the_counts_follow_every_insert_transition_and_delete_and_survive_folding(org_x, org_y):
    scheme_x, scheme_y = SchemeFactory(organisation=org_x), SchemeFactory(organisation=org_y)
    officer = make_staff(org_x)
    reviewed, _kept = ApplicationFactory.create_batch(2, scheme=scheme_x, submitted=True)
    ApplicationFactory(scheme=scheme_y, submitted=True)
    applicant = ApplicantFactory()
    draft = CompleteApplicationFactory(scheme=scheme_x, company=applicant.test_company, created_by=applicant)
    assert kept([org_x]) == {"submitted": 2} and kept([org_y]) == {"submitted": 1}  # drafts are not counted

    application_submit(application_id=draft.pk, actor=draft.created_by)
    application_start_review(application_id=reviewed.pk, actor=officer)
    application_withdraw(application_id=draft.pk, actor=draft.created_by)
    # Submitted, then deleted before any reservation refers to it (the ledger protects those that have one).
    ApplicationFactory(scheme=scheme_x, state=ApplicationState.IN_REVIEW).delete()
    assert kept([org_x]) == counted([org_x]) == {"submitted": 1, "in_review": 1, "withdrawn": 1}
    assert kept([org_x, org_y]) == counted([org_x, org_y])

    rows_before = ApplicationStateCount.objects.count()
    assert state_counts.compact() == rows_before
    assert ApplicationStateCount.objects.count() == 4  # one per municipality and state
    assert kept([org_x]) == counted([org_x]) and kept([org_y]) == counted([org_y])
    assert state_counts.compact() == 4  # folding folded rows changes nothing
    assert kept([org_x, org_y]) == counted([org_x, org_y])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_folding_beside_an_uncommitted_transition_loses_and_doubles_nothing(org_x):
    scheme = SchemeFactory(organisation=org_x)
    ApplicationFactory.create_batch(2, scheme=scheme, submitted=True)
    applicant = ApplicantFactory()
    waiting = CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
    written, folded = threading.Event(), threading.Event()

    def submit_slowly():
        try:
            with transaction.atomic():
                application_submit(application_id=waiting.pk, actor=waiting.created_by)
                written.set()  # its delta row exists, uncommitted
                assert folded.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=submit_slowly)
    thread.start()
    assert written.wait(10)
    state_counts.compact()
    folded.set()
    thread.join(10)

    assert kept([org_x]) == counted([org_x]) == {"submitted": 3}
    state_counts.compact()
    assert kept([org_x]) == {"submitted": 3}
    assert ApplicationStateCount.objects.count() == 1
