"""The transition log is append-only: database triggers refuse UPDATE and DELETE, on SQLite and
PostgreSQL alike, whatever the ORM call."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from grants.models import Application, StaffRole
from tests.factories import ApplicantFactory, CompleteApplicationFactory, make_staff
from workflows.models import TransitionLog
from workflows.services import application_start_review, application_submit, timeline


@pytest.fixture
def entry(db):
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Application), object_id=1,
        transition="submit", source_state="draft", target_state="submitted",
    )


def test_queryset_update_of_a_log_row_fails(entry):
    # The trigger aborts the statement; the savepoint keeps the test's transaction usable.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TransitionLog.objects.filter(pk=entry.pk).update(target_state="awarded")

    entry.refresh_from_db()
    assert entry.target_state == "submitted"


def test_saving_a_changed_log_row_fails(entry):
    entry.comment = "rewritten afterwards"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()

    assert TransitionLog.objects.get(pk=entry.pk).comment == ""


def test_deleting_a_log_row_fails(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()

    assert TransitionLog.objects.filter(pk=entry.pk).exists()


def test_queryset_delete_of_the_log_fails(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TransitionLog.objects.all().delete()

    assert TransitionLog.objects.count() == 1


def test_raw_sql_update_of_the_log_fails(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TransitionLog._meta.db_table} SET actor_id = NULL")


def test_log_rows_can_still_be_appended(entry):
    TransitionLog.objects.create(
        content_type=entry.content_type, object_id=1,
        transition="start_review", source_state="submitted", target_state="in_review",
    )

    assert TransitionLog.objects.count() == 2


def test_timeline_lists_a_cases_entries_oldest_first_with_state_labels(org_x):
    applicant = ApplicantFactory()
    officer = make_staff(org_x, StaffRole.OFFICER)
    application, other = CompleteApplicationFactory.create_batch(
        2, scheme__organisation=org_x, company=applicant.test_company
    )
    application_submit(application_id=application.pk, actor=applicant)
    application_submit(application_id=other.pk, actor=applicant)  # another case's log stays out
    application_start_review(application_id=application.pk, actor=officer)

    entries = timeline(application)

    assert [(e.transition, e.actor) for e in entries] == [("submit", applicant), ("start_review", officer)]
    with translation.override("en"):
        assert [str(e.target_state_label) for e in entries] == ["Submitted", "In review"]
