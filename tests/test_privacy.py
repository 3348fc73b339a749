"""Privacy: retention per scheme run by the nightly job, the applicant's own data export, the statement."""

import datetime
import json

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from grants.models import Application, ApplicationState, Message
from privacy import services, tasks
from privacy.models import Anonymisation, RetentionPolicy
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    AttachmentFactory,
    CompanyFactory,
    SchemeFactory,
)
from workflows.models import AuditEvent

DECIDED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def decided(state, *, scheme=None, at=DECIDED, **extra):
    with time_machine.travel(at, tick=False):
        return ApplicationFactory(submitted=True, state=state, decided_at=at if state != "withdrawn" else None,
                                  title="Scan bij Jansen", description="Mijn persoonlijke plannen",
                                  **({"scheme": scheme} if scheme else {}), **extra)


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return services.retention_apply()


@pytest.mark.django_db
def test_a_rejected_application_is_anonymised_two_years_after_the_decision(django_capture_on_commit_callbacks):
    application = decided(ApplicationState.REJECTED)
    attachment = AttachmentFactory(application=application)
    Message.objects.create(application=application, author=application.created_by, body="Mijn telefoon is 06-123")
    assert run_at(DECIDED + datetime.timedelta(days=729)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert run_at(DECIDED + datetime.timedelta(days=731)) == 1
    application.refresh_from_db()
    assert (application.title, application.description) == (services.ANONYMISED_TITLE, "")
    assert application.state == ApplicationState.REJECTED and application.reference  # the case itself remains
    assert Message.objects.get(application=application).body == ""
    assert not application.attachments.exists()
    assert not attachment.file.storage.exists(attachment.file.name)
    assert Anonymisation.objects.get(application=application).rule == "unsuccessful"
    assert AuditEvent.objects.get(case_id=application.pk).detail.startswith("anonymised")


@pytest.mark.django_db
def test_a_withdrawn_application_counts_from_its_last_change():
    application = decided(ApplicationState.WITHDRAWN)
    assert run_at(DECIDED + datetime.timedelta(days=731)) == 1
    assert Application.objects.get(pk=application.pk).title == services.ANONYMISED_TITLE


@pytest.mark.django_db
def test_awards_are_kept_ten_years():
    application = decided(ApplicationState.AWARDED)
    assert run_at(DECIDED + datetime.timedelta(days=365 * 9)) == 0
    assert run_at(DECIDED + datetime.timedelta(days=365 * 10 + 3)) == 1
    assert Anonymisation.objects.get(application=application).rule == "awarded"


@pytest.mark.django_db
def test_a_scheme_policy_overrides_the_default_term():
    scheme = SchemeFactory()
    RetentionPolicy.objects.create(scheme=scheme, unsuccessful_years=5, awarded_years=12)
    kept = decided(ApplicationState.NOT_CONSIDERED, scheme=scheme)
    other = decided(ApplicationState.NOT_CONSIDERED)
    assert run_at(DECIDED + datetime.timedelta(days=365 * 3)) == 1
    assert Anonymisation.objects.filter(application=other).exists()
    assert not Anonymisation.objects.filter(application=kept).exists()
    assert run_at(DECIDED + datetime.timedelta(days=365 * 5 + 2)) == 1


@pytest.mark.django_db
def test_open_cases_are_never_anonymised_and_a_second_run_does_nothing():
    ApplicationFactory(in_review=True)
    decided(ApplicationState.REJECTED)
    later = DECIDED + datetime.timedelta(days=365 * 30)
    assert run_at(later) == 1
    assert run_at(later) == 0


@pytest.mark.django_db
def test_the_nightly_job_runs_the_service():
    decided(ApplicationState.REJECTED)
    with time_machine.travel(DECIDED + datetime.timedelta(days=800), tick=False):
        assert tasks.retention_apply() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["retention-apply"]
    assert entry["task"] == tasks.retention_apply.name


def test_years_before_handles_leap_days():
    leap = datetime.datetime(2028, 2, 29, tzinfo=datetime.UTC)
    assert services.years_before(leap, 2) == datetime.datetime(2026, 2, 28, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_an_applicant_downloads_everything_about_them_and_nothing_of_others(client):
    company = CompanyFactory(iban="NL91ABNA0417164300")
    applicant = ApplicantFactory(company=company)
    mine = ApplicationFactory(company=company, created_by=applicant, title="Onze scan")
    ApplicationFactory(title="Andermans scan")
    client.force_login(applicant)
    response = client.get(reverse("my_data_export"))
    assert response["Content-Disposition"].startswith('attachment; filename="mijn-gegevens-')
    data = json.loads(response.content)
    assert data["account"]["email"] == applicant.email
    assert data["companies"][0]["iban"] == "NL91ABNA0417164300"
    assert [a["title"] for a in data["applications"]] == [mine.title]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_the_data_export_costs_the_same_queries_for_1_and_20_applications(client, count, django_assert_num_queries):
    company = CompanyFactory()
    applicant = ApplicantFactory(company=company)
    for _ in range(count):
        application = ApplicationFactory(company=company, created_by=applicant)
        AttachmentFactory(application=application)
    client.force_login(applicant)
    # session, user, memberships (one query), memberships with companies, applications with scheme and company,
    # cost lines, answers with questions, attachments, messages with authors
    with django_assert_num_queries(9):
        response = client.get(reverse("my_data_export"))
    assert len(json.loads(response.content)["applications"]) == count


@pytest.mark.django_db
def test_the_privacy_statement_names_the_retention_terms(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("privacy_statement"))
    text = " ".join(response.content.decode().split())
    assert "anonymised 2 years after they ended" in text and "kept 10 years" in text
