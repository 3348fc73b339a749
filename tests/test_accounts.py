import re

import pytest
from django.urls import reverse

from applicants.models import Company, User
from notifications.models import Outbox
from notifications.services import outbox_deliver
from tests.factories import PASSWORD, ApplicantFactory, CompanyFactory, UserFactory

REGISTRATION = {"full_name": "Anna de Boer", "email": "Anna@Example.nl", "password1": "Kringloop-2026-x",
                "password2": "Kringloop-2026-x", "language": "nl"}
COMPANY = {"kvk_number": "12345678", "branch_number": "", "legal_form": "bv", "name": "Kringloop Werk B.V.",
           "street": "Stationsweg 2", "postcode": "2312av", "city": "Leiden", "municipality": "",
           "sbi_code": "4779", "employees": "4", "iban": "nl91 abna 0417 1643 00",
           "contact_email": "info@kringloop.example.nl", "contact_phone": ""}


@pytest.mark.django_db
def test_registration_creates_inactive_user_and_queues_verification(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("register"), REGISTRATION)
    assert response.status_code == 200
    user = User.objects.get(email="anna@example.nl")
    assert not user.is_active and user.email_verified_at is None
    row = Outbox.objects.get(event="verify_email", recipient=user)
    assert row.send_email and not row.send_inbox


@pytest.mark.django_db
def test_verification_link_activates_and_logs_in(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        client.post(reverse("register"), REGISTRATION)
    outbox_deliver(outbox_id=Outbox.objects.get(event="verify_email").pk)
    link = re.search(r"http://\S+/account/bevestigen/\S+/", mailoutbox[0].body).group(0)
    response = client.get(link.split("8000", 1)[-1] if "8000" in link else link)
    assert response.status_code == 302
    assert User.objects.get(email="anna@example.nl").is_active
    assert client.get(reverse("applicant_home")).status_code == 200


@pytest.mark.django_db
def test_tampered_verification_token_is_refused(client):
    response = client.get(reverse("verify_email", args=["nonsense:token"]))
    assert response.status_code == 400


@pytest.mark.django_db
def test_registration_errors_are_shown_at_the_field_and_input_kept(client):
    UserFactory(email="taken@example.nl")
    data = {**REGISTRATION, "email": "taken@example.nl", "password2": "different-Password-1"}
    response = client.post(reverse("register"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors and "password2" in form.errors
    assert 'value="Anna de Boer"' in response.content.decode()


@pytest.mark.django_db
def test_unverified_user_gets_a_clear_message_at_login(client):
    UserFactory(email="new@example.nl", is_active=False)
    response = client.post(reverse("login"), {"username": "new@example.nl", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@pytest.mark.django_db
def test_company_registration_normalises_postcode_and_iban(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("company_create"), COMPANY)
    assert response.status_code == 302
    company = Company.objects.get(kvk_number="12345678")
    assert company.postcode == "2312 AV" and company.iban == "NL91ABNA0417164300"
    assert company.memberships.get().user == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("kvk_number", "1234567"), ("kvk_number", "1234567a"), ("postcode", "0123 AB"), ("postcode", "1234 SS"),
     ("iban", "NL91ABNA0417164301"), ("branch_number", "123"), ("employees", "-1")],
)
def test_company_registration_refuses_bad_identifiers_at_the_field(client, field, value):
    client.force_login(UserFactory())
    response = client.post(reverse("company_create"), {**COMPANY, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_member_edits_own_company_but_not_another(client):
    applicant = ApplicantFactory()
    other = CompanyFactory()
    client.force_login(applicant)
    assert client.get(reverse("company_edit", args=[applicant.test_company.pk])).status_code == 200
    assert client.get(reverse("company_edit", args=[other.pk])).status_code == 404
