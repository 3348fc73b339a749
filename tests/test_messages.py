"""The message thread on an application: the applicant and the municipality write to each other."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applicants.models import CompanyMembership
from grants.models import Message, StaffRole
from notifications.models import Outbox
from notifications.services import render_message
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    MessageFactory,
    SchemeFactory,
    make_member,
    make_staff,
)


@pytest.fixture
def client(client):
    # Pages in English, the source language: the assertions below read the texts as written in the code.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def case(org_x):
    applicant = ApplicantFactory(full_name="Petra Ondernemer")
    application = ApplicationFactory(scheme=SchemeFactory(organisation=org_x), company=applicant.test_company,
                                     created_by=applicant, submitted=True)
    return application, applicant


def _notified(event="message_received"):
    return set(Outbox.objects.filter(event=event).values_list("recipient_id", flat=True))


@pytest.mark.django_db
def test_applicant_message_notifies_the_assigned_officer_only(client, case, org_x):
    application, applicant = case
    application.assigned_to = make_staff(org_x)
    application.save()
    make_staff(org_x)  # another officer: not told while the case has a handler
    client.force_login(applicant)
    response = client.post(reverse("application_message_post", args=[application.pk]), {"body": "Een vraag."})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.author, message.from_staff, message.body) == (applicant, False, "Een vraag.")
    assert _notified() == {application.assigned_to.pk}


@pytest.mark.django_db
def test_applicant_message_on_an_unassigned_case_notifies_the_officers_of_its_municipality(client, case, org_x, org_y):
    application, applicant = case
    officers = {make_staff(org_x).pk, make_staff(org_x).pk}
    make_staff(org_x, StaffRole.MANAGER)
    make_staff(org_y)
    client.force_login(applicant)
    client.post(reverse("application_message_post", args=[application.pk]), {"body": "Een vraag."})
    assert _notified() == officers
    assert Outbox.objects.get(recipient_id=min(officers)).url.startswith(reverse("case_detail", args=[application.pk]))


@pytest.mark.django_db
def test_staff_message_notifies_everyone_acting_for_the_company(client, case, org_x):
    application, applicant = case
    adviser = make_member(applicant.test_company, CompanyMembership.Role.ADVISER)
    officer = make_staff(org_x)
    client.force_login(officer)
    response = client.post(reverse("case_message_post", args=[application.pk]), {"body": "Graag de offerte."})
    assert response.status_code == 302
    assert Message.objects.get().from_staff
    assert _notified() == {applicant.pk, adviser.pk}
    row = Outbox.objects.get(recipient=applicant)
    assert row.url.startswith(reverse("application_detail", args=[application.pk])) and row.send_inbox


@pytest.mark.django_db
def test_adviser_writes_for_the_company(client, case, org_x):
    application, applicant = case
    adviser = make_member(applicant.test_company, CompanyMembership.Role.ADVISER)
    client.force_login(adviser)
    client.post(reverse("application_message_post", args=[application.pk]), {"body": "Namens de klant."})
    assert Message.objects.get().author == adviser


@pytest.mark.django_db
def test_empty_message_is_refused_at_the_field_on_both_sides(client, case, org_x):
    application, applicant = case
    client.force_login(applicant)
    response = client.post(reverse("application_message_post", args=[application.pk]), {"body": "  "})
    assert response.status_code == 400
    assert "Write a message before sending it." in response.content.decode()
    client.force_login(make_staff(org_x))
    response = client.post(reverse("case_message_post", args=[application.pk]), {"body": ""})
    assert response.status_code == 400 and "body" in response.context["thread_form"].errors
    assert not Message.objects.exists() and not Outbox.objects.exists()


@pytest.mark.django_db
def test_another_company_gets_404(client, case):
    application, _ = case
    client.force_login(ApplicantFactory())
    response = client.post(reverse("application_message_post", args=[application.pk]), {"body": "Hallo"})
    assert response.status_code == 404
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_another_municipality_gets_404(client, case, org_y):
    application, _ = case
    client.force_login(make_staff(org_y))
    response = client.post(reverse("case_message_post", args=[application.pk]), {"body": "Hallo"})
    assert response.status_code == 404
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_draft_has_no_thread(client, org_x):
    applicant = ApplicantFactory()
    draft = ApplicationFactory(scheme=SchemeFactory(organisation=org_x), company=applicant.test_company)
    client.force_login(applicant)
    response = client.post(reverse("application_message_post", args=[draft.pk]), {"body": "Hallo"}, follow=True)
    assert "a draft has no municipality to write to yet" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_thread_names_the_applicant_and_shows_staff_as_the_municipality(client, case, org_x):
    application, applicant = case
    officer = make_staff(org_x, full_name="Bert Behandelaar")
    MessageFactory(application=application, author=applicant, body="Vraag van de ondernemer")
    MessageFactory(application=application, author=officer, from_staff=True, body="Antwoord van de gemeente")
    client.force_login(applicant)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "Petra Ondernemer" in page and "Municipality" in page and "Antwoord van de gemeente" in page
    assert "Bert Behandelaar" not in page


@pytest.mark.django_db
def test_case_page_costs_the_same_queries_for_1_and_20_messages(client, case, org_x):
    application, applicant = case
    client.force_login(make_staff(org_x))
    url = reverse("case_detail", args=[application.pk])
    MessageFactory(application=application, author=applicant)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(19):
        MessageFactory(application=application, author=ApplicantFactory(company=applicant.test_company))
    with CaptureQueriesContext(connection) as twenty:
        client.get(url)
    # The thread is one query with its authors joined, however long it is.
    assert len(twenty) == len(one)


@pytest.mark.django_db
def test_officer_who_is_a_member_of_the_company_cannot_write_as_the_municipality(client, case, org_x):
    application, applicant = case
    officer = make_staff(org_x)
    CompanyMembership.objects.create(user=officer, company=applicant.test_company)
    client.force_login(officer)
    response = client.post(reverse("case_message_post", args=[application.pk]), {"body": "Namens de gemeente"},
                           follow=True)
    assert "you cannot write on behalf of the municipality" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_message_notification_names_the_case_but_not_the_message(client, case, org_x):
    application, applicant = case
    applicant.language = "en"
    applicant.save()
    client.force_login(make_staff(org_x))
    client.post(reverse("case_message_post", args=[application.pk]), {"body": "Vertrouwelijke inhoud"})
    subject, text, html = render_message(Outbox.objects.get(recipient=applicant))
    assert subject == f"New message about application {application.reference}"
    assert "Gemeente Alphen has sent you a message" in text and "Vertrouwelijke inhoud" not in text + html
