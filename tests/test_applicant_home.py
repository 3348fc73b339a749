"""The applicant's start page: per application its state, the next step and its deadline, the latest message."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from applicants.models import CompanyMembership
from grants.models import ApplicationState
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompanyFactory,
    MessageFactory,
    SchemeFactory,
    make_staff,
)


@pytest.fixture
def client(client):
    # Pages in English, the source language: the assertions below read the texts as written in the code.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def applicant(db):
    return ApplicantFactory()


@pytest.fixture
def scheme(org_x):
    return SchemeFactory(organisation=org_x)


def _application(applicant, scheme, **kwargs):
    return ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant, **kwargs)


@pytest.mark.django_db
def test_draft_asks_to_complete_and_submit_with_a_link(client, applicant, scheme):
    draft = _application(applicant, scheme)
    client.force_login(applicant)
    page = client.get(reverse("applicant_home")).content.decode()
    link = reverse("application_detail", args=[draft.pk])
    assert f'<a href="{link}">Complete and submit your application</a>' in page


@pytest.mark.django_db
def test_information_request_shows_the_repair_deadline(client, applicant, scheme):
    _application(applicant, scheme, info_requested=True, repair_due_on=datetime.date(2027, 3, 1))
    client.force_login(applicant)
    page = client.get(reverse("applicant_home")).content.decode()
    assert "Supply the requested information before 1 March 2027" in page


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["submitted", "in_review", "proposed"])
def test_open_application_waits_for_the_decision_by_its_due_date(client, applicant, scheme, state):
    _application(applicant, scheme, **{state: True}, decision_due_on=datetime.date(2027, 4, 12))
    client.force_login(applicant)
    page = client.get(reverse("applicant_home")).content.decode()
    assert "Wait for the decision, expected by 12 April 2027" in page
    assert "Decision proposed" not in page  # a pending proposal is still "in review" to the applicant


@pytest.mark.django_db
def test_decided_application_expects_nothing(client, applicant, scheme):
    application = _application(applicant, scheme, submitted=True)
    application.__dict__["state"] = ApplicationState.AWARDED
    application.save()
    client.force_login(applicant)
    page = client.get(reverse("applicant_home")).content.decode()
    assert "Awarded" in page and "Nothing to do" in page and "Wait for the decision" not in page


@pytest.mark.django_db
def test_latest_message_date_is_shown(client, applicant, scheme):
    application = _application(applicant, scheme, submitted=True)
    MessageFactory(application=application, author=applicant)
    latest = MessageFactory(application=application, author=applicant)
    client.force_login(applicant)
    response = client.get(reverse("applicant_home"))
    assert response.context["applications"][0].last_message_at == latest.created_at


@pytest.mark.django_db
def test_companies_are_listed_with_the_users_role(client, applicant):
    advised = CompanyFactory(name="Klant van de adviseur B.V.")
    CompanyMembership.objects.create(user=applicant, company=advised, role=CompanyMembership.Role.ADVISER)
    client.force_login(applicant)
    page = client.get(reverse("applicant_home")).content.decode()
    assert "Klant van de adviseur B.V." in page and "your role: Adviser" in page
    assert f"{applicant.test_company.name}</a>" in page and "your role: Owner" in page


@pytest.mark.django_db
def test_home_costs_the_same_queries_for_1_and_30_applications(client, applicant, scheme, django_assert_num_queries):
    states = [{}, {"submitted": True}, {"info_requested": True}]
    first = _application(applicant, scheme, submitted=True)
    MessageFactory(application=first, author=applicant)
    client.force_login(applicant)
    # session, user, memberships (one query), unread inbox count, memberships with companies,
    # applications with scheme, municipality, company and latest message date.
    with django_assert_num_queries(6):
        client.get(reverse("applicant_home"))
    for n in range(29):
        application = _application(applicant, scheme, **states[n % 3])
        MessageFactory(application=application, author=applicant)
    with django_assert_num_queries(6):
        response = client.get(reverse("applicant_home"))
    assert len(response.context["applications"]) == 30


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "landing"), [("officer", "case_list"), ("administrator", "manage_scheme_list")])
def test_staff_land_on_their_own_work(client, org_x, role, landing):
    client.force_login(make_staff(org_x, role=role))
    response = client.get(reverse("applicant_home"))
    assert response.status_code == 302 and response["Location"] == reverse(landing)
