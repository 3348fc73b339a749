"""Who acts for a company: colleagues and advisers are invited with a signed link; owners remove them."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from applicants import services
from applicants.models import CompanyInvitation, CompanyMembership
from notifications.models import Outbox
from notifications.services import render_message
from tests.factories import ApplicantFactory, ApplicationFactory, CompanyFactory, UserFactory, make_member

Role = CompanyMembership.Role


@pytest.fixture
def owner(db):
    return ApplicantFactory()


@pytest.fixture
def client(client):
    # Pages in English, the source language: the assertions below read the texts as written in the code.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _invite(owner, email, role=Role.MEMBER):
    services.company_invite(company=owner.test_company, email=email, role=role, invited_by=owner)
    row = Outbox.objects.filter(event="company_invitation").latest("pk")
    return resolve(row.url).kwargs["token"]


@pytest.mark.django_db
def test_company_page_lists_the_people_with_their_role(client, owner):
    adviser = make_member(owner.test_company, Role.ADVISER, full_name="Anna Adviseur")
    client.force_login(owner)
    page = client.get(reverse("company_edit", args=[owner.test_company.pk])).content.decode()
    assert "Anna Adviseur" in page and adviser.email in page
    assert "Adviser" in page and "Owner" in page


@pytest.mark.django_db
def test_owner_authorises_an_adviser_by_email_with_a_signed_link(client, owner):
    client.force_login(owner)
    response = client.post(reverse("company_invite", args=[owner.test_company.pk]),
                           {"email": "Advies@Bureau.example.nl", "role": "adviser"})
    assert response.status_code == 302
    invitation = CompanyInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("advies@bureau.example.nl", "adviser", owner)
    row = Outbox.objects.get(event="company_invitation")
    assert row.email == "advies@bureau.example.nl" and row.recipient is None and not row.send_inbox
    assert resolve(row.url).url_name == "invitation_accept"


@pytest.mark.django_db
def test_invitation_to_someone_with_an_account_goes_to_that_account(owner):
    colleague = UserFactory(email="collega@example.nl", language="en")
    _invite(owner, "collega@example.nl")
    row = Outbox.objects.get(event="company_invitation")
    assert row.recipient == colleague and row.language == "en" and row.send_email


@pytest.mark.django_db
def test_colleague_may_invite_a_colleague_but_not_authorise_an_adviser(client, owner):
    client.force_login(make_member(owner.test_company, Role.MEMBER))
    url = reverse("company_invite", args=[owner.test_company.pk])
    response = client.post(url, {"email": "adviseur@example.nl", "role": "adviser"})
    assert response.status_code == 400 and "role" in response.context["invite_form"].errors
    assert 'value="adviseur@example.nl"' in response.content.decode()
    assert client.post(url, {"email": "collega@example.nl", "role": "member"}).status_code == 302
    assert list(CompanyInvitation.objects.values_list("email", flat=True)) == ["collega@example.nl"]


@pytest.mark.django_db
def test_adviser_may_not_invite_anyone(client, owner):
    client.force_login(make_member(owner.test_company, Role.ADVISER))
    response = client.post(reverse("company_invite", args=[owner.test_company.pk]),
                           {"email": "collega@example.nl", "role": "member"})
    assert response.status_code == 403
    assert not CompanyInvitation.objects.exists()


@pytest.mark.django_db
def test_inviting_someone_who_already_acts_for_the_company_is_refused_at_the_field(client, owner):
    colleague = make_member(owner.test_company)
    client.force_login(owner)
    response = client.post(reverse("company_invite", args=[owner.test_company.pk]),
                           {"email": colleague.email.upper(), "role": "member"})
    assert response.status_code == 400
    assert "This person can already act for the company." in response.content.decode()
    assert not CompanyInvitation.objects.exists()


@pytest.mark.django_db
def test_empty_invitation_is_refused_at_the_field(client, owner):
    client.force_login(owner)
    response = client.post(reverse("company_invite", args=[owner.test_company.pk]), {"email": "", "role": "member"})
    assert response.status_code == 400 and "email" in response.context["invite_form"].errors
    assert not CompanyInvitation.objects.exists()


@pytest.mark.django_db
def test_accepting_creates_the_membership_with_the_invited_role(client, owner):
    adviser = UserFactory(email="advies@bureau.example.nl")
    token = _invite(owner, "advies@bureau.example.nl", Role.ADVISER)
    client.force_login(adviser)
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 200
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 302 and response.url == reverse("company_edit", args=[owner.test_company.pk])
    assert CompanyMembership.objects.get(user=adviser).role == Role.ADVISER
    assert CompanyInvitation.objects.get().accepted_at is not None


@pytest.mark.django_db
def test_accepting_with_another_account_is_refused_with_a_clear_message(client, owner):
    token = _invite(owner, "collega@example.nl")
    client.force_login(ApplicantFactory(email="iemand.anders@example.nl"))
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 403
    assert "a different email address" in response.content.decode()
    assert CompanyMembership.objects.filter(company=owner.test_company).count() == 1


@pytest.mark.django_db
def test_expired_invitation_gives_a_clear_page_not_an_error(client, owner):
    invitee = UserFactory(email="collega@example.nl")
    token = _invite(owner, "collega@example.nl")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        client.force_login(invitee)
        response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert not CompanyMembership.objects.filter(user=invitee).exists()


@pytest.mark.django_db
def test_tampered_or_used_invitation_link_gives_400(client, owner):
    invitee = UserFactory(email="collega@example.nl")
    token = _invite(owner, "collega@example.nl")
    client.force_login(invitee)
    assert client.get(reverse("invitation_accept", args=[token[:-2] + "xx"])).status_code == 400
    client.post(reverse("invitation_accept", args=[token]))
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 400 and "already been accepted" in response.content.decode()
    assert CompanyMembership.objects.filter(user=invitee).count() == 1


@pytest.mark.django_db
def test_revoked_adviser_gets_404_on_the_companys_application(client, owner):
    adviser = make_member(owner.test_company, Role.ADVISER)
    # A consultant usually advises several companies: still an applicant, so the page is a 404, not a 403.
    CompanyMembership.objects.create(user=adviser, company=CompanyFactory(), role=Role.ADVISER)
    application = ApplicationFactory(company=owner.test_company, created_by=owner, submitted=True)
    adviser_client = Client()
    adviser_client.force_login(adviser)
    assert adviser_client.get(reverse("application_detail", args=[application.pk])).status_code == 200
    client.force_login(owner)
    membership = CompanyMembership.objects.get(user=adviser, company=owner.test_company)
    response = client.post(reverse("company_member_remove", args=[owner.test_company.pk, membership.pk]))
    assert response.status_code == 302
    assert adviser_client.get(reverse("application_detail", args=[application.pk])).status_code == 404


@pytest.mark.django_db
def test_removed_colleague_loses_the_company_page_at_once(client, owner):
    colleague = make_member(owner.test_company)
    membership = CompanyMembership.objects.get(user=colleague)
    client.force_login(owner)
    client.post(reverse("company_member_remove", args=[owner.test_company.pk, membership.pk]))
    client.force_login(colleague)
    assert client.get(reverse("company_edit", args=[owner.test_company.pk])).status_code == 403


@pytest.mark.django_db
def test_the_last_owner_cannot_be_removed(client, owner):
    membership = CompanyMembership.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(reverse("company_member_remove", args=[owner.test_company.pk, membership.pk]), follow=True)
    assert "last owner cannot be removed" in response.content.decode()
    assert CompanyMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADVISER])
def test_only_owners_remove_people(client, owner, role):
    client.force_login(make_member(owner.test_company, role))
    membership = CompanyMembership.objects.get(user=owner)
    response = client.post(reverse("company_member_remove", args=[owner.test_company.pk, membership.pk]))
    assert response.status_code == 403
    assert CompanyMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_adviser_sees_the_company_details_but_cannot_change_them(client, owner):
    client.force_login(make_member(owner.test_company, Role.ADVISER))
    url = reverse("company_edit", args=[owner.test_company.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None and page.context["invite_form"] is None
    assert client.post(url, {"name": "Overgenomen B.V."}).status_code == 403
    owner.test_company.refresh_from_db()
    assert owner.test_company.name != "Overgenomen B.V."


@pytest.mark.django_db
def test_invitation_email_explains_the_adviser_role_and_carries_the_link(owner):
    _invite(owner, "advies@bureau.example.nl", Role.ADVISER)
    row = Outbox.objects.get(event="company_invitation")
    row.language = "en"
    subject, text, html = render_message(row)
    assert subject == f"Invitation to act for {owner.test_company.name}"
    assert "as its adviser" in text and row.url in text and row.url in html
