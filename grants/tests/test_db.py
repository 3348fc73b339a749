"""grants.db: SQL the ORM does not write for us, and the wide query compiled once per process."""

from unittest import mock

import pytest
from django.db.models import Value
from django.db.models.sql.compiler import SQLCompiler

from grants.db import fetch_with_sql_written_once
from grants.models import Application
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

WIDE = ("scheme__organisation", "company", "proposed_by")


def _counting_get_select():
    return mock.patch.object(SQLCompiler, "get_select", autospec=True, side_effect=SQLCompiler.get_select)


def test_the_select_is_written_once_and_each_run_gets_its_own_rows():
    first, second = ApplicationFactory(proposed=True), ApplicationFactory(submitted=True)
    queryset = Application.objects.select_related(*WIDE)
    fetch_with_sql_written_once(queryset.filter(pk=first.pk), shape="test wide")  # writes the statement
    with _counting_get_select() as get_select:
        [again] = fetch_with_sql_written_once(queryset.filter(pk=first.pk), shape="test wide")
        [other] = fetch_with_sql_written_once(queryset.filter(pk=second.pk), shape="test wide")
    assert get_select.call_count == 0
    assert (again.pk, again.proposed_by.full_name) == (first.pk, first.proposed_by.full_name)
    assert (other.pk, other.company.name, other.scheme.organisation.name) == (
        second.pk, second.company.name, second.scheme.organisation.name)
    assert other.proposed_by is None  # a null one-to-one of the joined row, not the first run's


def test_filters_that_read_differently_get_their_own_statement():
    applications = ApplicationFactory.create_batch(3, submitted=True)
    queryset = Application.objects.select_related(*WIDE).order_by("pk")
    ids = [application.pk for application in applications]
    assert [a.pk for a in fetch_with_sql_written_once(queryset.filter(pk__in=ids[:1]), shape="test in")] == ids[:1]
    assert [a.pk for a in fetch_with_sql_written_once(queryset.filter(pk__in=ids), shape="test in")] == ids
    assert [a.pk for a in fetch_with_sql_written_once(queryset.filter(pk__in=ids[1:]), shape="test in")] == ids[1:]
    assert fetch_with_sql_written_once(queryset.filter(pk=ids[0], state="draft"), shape="test in") == []


def test_an_empty_or_unfiltered_queryset_and_values_outside_the_where_clause():
    application = ApplicationFactory(submitted=True)
    assert fetch_with_sql_written_once(Application.objects.none(), shape="test edge") == []
    assert [a.pk for a in fetch_with_sql_written_once(Application.objects.all(), shape="test edge")] == [
        application.pk]
    # A value in the SELECT: compiled and run as usual, every time, and still right.
    annotated = Application.objects.annotate(label=Value("x")).filter(pk=application.pk)
    for _ in range(2):
        [row] = fetch_with_sql_written_once(annotated, shape="test annotated")
        assert (row.pk, row.label) == (application.pk, "x")


def test_the_callers_queryset_is_left_as_it_was():
    application = ApplicationFactory(submitted=True)
    queryset = Application.objects.select_related(*WIDE).filter(pk=application.pk)
    fetch_with_sql_written_once(queryset, shape="test untouched")
    fetch_with_sql_written_once(queryset, shape="test untouched")
    assert "get_compiler" not in queryset.query.__dict__
    assert list(queryset) == [application]


def test_a_run_uses_its_own_threads_connection_not_the_writers():
    application = ApplicationFactory(submitted=True)
    queryset = Application.objects.select_related(*WIDE).filter(pk=application.pk)
    fetch_with_sql_written_once(queryset, shape="test thread")
    from grants import db

    [(compiler, _sql)] = [value for key, value in db._written_statements.items() if key[0] == "test thread"]
    compiler.connection = mock.Mock(side_effect=AssertionError)  # another thread's: must not be used
    compiler.connection.cursor.side_effect = AssertionError("the writer's connection was used")
    assert fetch_with_sql_written_once(queryset, shape="test thread") == [application]


def test_a_cases_lists_are_read_once_each_and_absent_ones_cost_nothing(django_assert_num_queries):
    from grants import wizard
    from tests.factories import PartnerFactory, complete_application

    first = complete_application(ApplicationFactory())  # a cost line and a planned result
    PartnerFactory(application=first)
    second = complete_application(ApplicationFactory())
    for application, partners in ((first, True), (second, False)):  # the second reuses the first's statements
        application = Application.objects.select_related("scheme").get(pk=application.pk)
        optional = {"partners": partners, "de_minimis_aid": False, "answers": False, "questions": False,
                    "criteria": False, "objections": False}
        # cost lines, planned results, attachments, and the partners where the case has them
        with django_assert_num_queries(4 if partners else 3):
            wizard.prefetch_parts(application, optional=optional)
        with django_assert_num_queries(0):
            cost_lines = list(application.cost_lines.all())
            assert [line.application for line in cost_lines] == [application]  # no query back to the case
            assert len(application.indicators.all()) == 1
            assert len(application.partners.all()) == (1 if partners else 0)
            assert list(application.scheme.questions.all()) == list(application.answers.all()) == []
            if not partners:  # an absent list is none(): even a filter on it runs no query
                assert not application.partners.filter(name="x").exists()
        assert [line.pk for line in cost_lines] == list(
            application.cost_lines.model.objects.filter(application=application).values_list("pk", flat=True))
