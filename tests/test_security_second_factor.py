"""The second factor: staff must pass a TOTP code (or a backup code) after the password; applicants may."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applicants import second_factor
from applicants.second_factor import DEMO_TOTP_SECRET, current_code, demo_authenticator
from conftest import login_without_second_factor
from tests.factories import PASSWORD, ApplicantFactory, make_staff

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def password_login(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


@pytest.mark.django_db
def test_staff_password_login_leads_to_the_code_page_and_nothing_else(client, org_x):
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    password_login(client, officer)
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("second_factor_verify"))
    assert client.get(reverse("applicant_home")).url.startswith(reverse("second_factor_verify"))


@pytest.mark.django_db
def test_staff_reach_their_cases_after_a_correct_code(client, org_x):
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    password_login(client, officer)
    response = client.post(reverse("second_factor_verify"),
                           {"token": current_code(SECRET), "next": reverse("case_list")})
    assert response.status_code == 302 and response.url == reverse("case_list")
    assert client.get(reverse("case_list")).status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused_at_the_field(client, org_x):
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    password_login(client, officer)
    wrong = f"{(int(current_code(SECRET)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("second_factor_verify"), {"token": wrong})
    assert response.status_code == 400
    assert response.context["form"].errors["token"]
    assert client.get(reverse("case_list")).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "abc", "1" * 200, "12 34", "\x00\u202e123456", "-123456"])
def test_hostile_codes_get_a_field_message_not_a_500(client, org_x, token):
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    password_login(client, officer)
    response = client.post(reverse("second_factor_verify"), {"token": token})
    assert response.status_code == 400
    assert response.context["form"].errors["token"]


@pytest.mark.django_db
def test_a_backup_code_works_once(client, org_x):
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    code = second_factor.backup_codes_generate(user=officer)[0]
    password_login(client, officer)
    assert client.post(reverse("second_factor_verify"), {"token": code}).status_code == 302
    assert client.get(reverse("case_list")).status_code == 200
    client.post(reverse("logout"))
    password_login(client, officer)
    assert client.post(reverse("second_factor_verify"), {"token": code}).status_code == 400


@pytest.mark.django_db
def test_staff_without_an_authenticator_must_set_one_up_and_get_backup_codes(client, org_x):
    officer = make_staff(org_x)
    password_login(client, officer)
    assert client.get(reverse("case_list")).url.startswith(reverse("second_factor_enrol"))
    page = client.get(reverse("second_factor_enrol"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert page.context["otpauth_url"].startswith("otpauth://totp/Subsidieloket")
    secret = page.context["secret"].replace(" ", "")
    response = client.post(reverse("second_factor_enrol"), {"token": current_code(secret)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    assert client.get(reverse("case_list")).status_code == 200


@pytest.mark.django_db
def test_applicants_are_not_asked_for_a_code_until_they_enable_it(client):
    applicant = ApplicantFactory()
    password_login(client, applicant)
    assert client.get(reverse("applicant_home")).status_code == 200
    page = client.get(reverse("second_factor_enrol"))
    secret = page.context["secret"].replace(" ", "")
    client.post(reverse("second_factor_enrol"), {"token": current_code(secret)})
    client.post(reverse("logout"))
    password_login(client, applicant)
    assert client.get(reverse("applicant_home")).url.startswith(reverse("second_factor_verify"))
    client.post(reverse("second_factor_verify"), {"token": current_code(secret, at=time.time() + 30)})
    assert client.get(reverse("applicant_home")).status_code == 200


@pytest.mark.django_db
def test_an_applicant_switches_it_off_with_a_current_code(client):
    applicant = ApplicantFactory()
    demo_authenticator(user=applicant, secret=SECRET)
    password_login(client, applicant)
    client.post(reverse("second_factor_verify"), {"token": current_code(SECRET)})
    refused = client.post(reverse("second_factor_disable"), {"token": "000000"})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(user=applicant).exists()
    # django-otp throttles a device after a wrong code: the next try is allowed after a pause.
    with time_machine.travel(time.time() + 31, tick=False):
        client.post(reverse("second_factor_disable"), {"token": current_code(SECRET)})
    assert not TOTPDevice.objects.filter(user=applicant).exists()
    client.post(reverse("logout"))
    password_login(client, applicant)
    assert client.get(reverse("applicant_home")).status_code == 200


@pytest.mark.django_db
def test_staff_cannot_switch_it_off(client, org_x):
    officer = make_staff(org_x)
    client.force_login(officer)
    response = client.post(reverse("second_factor_disable"), {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


@pytest.mark.django_db
def test_force_login_without_the_second_factor_is_held_at_the_code_page(client, org_x):
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    login_without_second_factor(client, officer)
    assert client.get(reverse("case_list")).url.startswith(reverse("second_factor_verify"))


@pytest.mark.django_db
def test_the_demo_secret_gives_the_codes_an_authenticator_app_shows(org_x):
    officer = make_staff(org_x)
    device = demo_authenticator(user=officer, secret=DEMO_TOTP_SECRET)
    assert device.verify_token(current_code(DEMO_TOTP_SECRET))


@pytest.mark.django_db
def test_seed_demo_gives_every_staff_account_the_published_secret():
    from django.core.management import call_command

    from grants.models import StaffMembership

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    staff_ids = set(StaffMembership.objects.values_list("user_id", flat=True))
    devices = TOTPDevice.objects.filter(user_id__in=staff_ids, confirmed=True)
    assert {d.user_id for d in devices} == staff_ids
    assert all(d.key == second_factor.b32decode(DEMO_TOTP_SECRET).hex() for d in devices)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(max_size=300))
def test_any_text_as_a_code_gets_a_field_message_never_a_500(client, org_x, token):
    cache.clear()  # the code page is rate limited: each example starts with fresh counters
    officer = make_staff(org_x)
    demo_authenticator(user=officer, secret=SECRET)
    login_without_second_factor(client, officer)
    response = client.post(reverse("second_factor_verify"), {"token": token})
    assert response.status_code == 400
    assert response.context["form"].errors["token"]
    assert client.get(reverse("case_list")).status_code == 302


def test_demo_totp_prints_the_code_an_app_with_the_demo_secret_shows():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    with time_machine.travel(1_800_000_000, tick=False):
        call_command("demo_totp", stdout=out)
        assert out.getvalue().strip() == current_code(DEMO_TOTP_SECRET)
    assert len(out.getvalue().strip()) == 6
