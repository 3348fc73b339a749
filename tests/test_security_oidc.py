"""OpenID Connect login against a fake provider: off by default, matched by verified email when on."""

from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.conf import settings
from django.urls import reverse

from applicants.models import User
from tests.factories import make_staff

CLIENT_ID, SECRET = "grantdesk", "fake-provider-shared-secret-0123456789"
PROVIDER = "https://idp.example.nl"


@pytest.fixture
def oidc(settings):
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "applicants.oidc.GrantDeskOIDCBackend"]
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/userinfo"
    settings.OIDC_RP_SIGN_ALGO = "HS256"  # the fake provider signs with the shared secret


class FakeProvider:
    """Answers the token and userinfo calls mozilla-django-oidc makes, for one login."""

    def __init__(self, claims, *, audience=CLIENT_ID):
        self.claims, self.audience, self.nonce = claims, audience, None

    def token(self, url, data=None, **kwargs):
        assert url == f"{PROVIDER}/token" and data["code"] == "the-code"
        id_token = jwt.encode({"iss": PROVIDER, "aud": self.audience, "sub": "123", "nonce": self.nonce},
                              SECRET, algorithm="HS256")
        return mock.Mock(status_code=200, json=lambda: {"id_token": id_token, "access_token": "at"},
                         raise_for_status=lambda: None)

    def userinfo(self, url, headers=None, **kwargs):
        assert headers["Authorization"] == "Bearer at"
        return mock.Mock(headers={"content-type": "application/json"}, json=lambda: self.claims,
                         raise_for_status=lambda: None)


def login_through(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start.url.startswith(f"{PROVIDER}/authorize")
    query = parse_qs(urlparse(start.url).query)
    assert query["client_id"] == [CLIENT_ID] and "code_challenge" in query
    provider.nonce = query["nonce"][0]
    with mock.patch("mozilla_django_oidc.auth.requests.post", provider.token), \
            mock.patch("mozilla_django_oidc.auth.requests.get", provider.userinfo):
        return client.get(reverse("oidc_authentication_callback"), {"code": "the-code", "state": query["state"][0]})


@pytest.mark.django_db
def test_oidc_is_off_by_default(client):
    assert not settings.OIDC_ENABLED
    assert client.get(reverse("oidc_authentication_init")).url == reverse("login")
    assert client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"}).url == reverse("login")
    assert "oidc" not in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_a_new_applicant_logs_in_through_the_provider(client, oidc):
    assert reverse("oidc_authentication_init") in client.get(reverse("login")).content.decode()
    response = login_through(client, FakeProvider({"email": "Nieuw@Bedrijf.nl", "name": "Nieuwe Ondernemer",
                                                   "email_verified": True}))
    assert response.status_code == 302 and response.url == reverse("applicant_home")
    user = User.objects.get(email="nieuw@bedrijf.nl")
    assert user.full_name == "Nieuwe Ondernemer" and not user.has_usable_password()
    assert client.get(reverse("applicant_home")).status_code == 200


@pytest.mark.django_db
def test_staff_through_the_provider_need_no_second_code(client, oidc, org_x):
    officer = make_staff(org_x, email="behandelaar@gemeente.nl")
    response = login_through(client, FakeProvider({"email": officer.email, "email_verified": True}))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get(reverse("case_list")).status_code == 200


@pytest.mark.django_db
def test_staff_through_the_provider_still_need_a_code_when_the_provider_has_no_mfa(client, oidc, org_x, settings):
    settings.OIDC_IDP_MFA = False
    officer = make_staff(org_x, email="behandelaar@gemeente.nl")
    login_through(client, FakeProvider({"email": officer.email}))
    assert client.get(reverse("case_list")).url.startswith(reverse("second_factor_enrol"))


@pytest.mark.django_db
def test_an_unverified_email_never_takes_over_an_account(client, oidc, org_x):
    officer = make_staff(org_x, email="behandelaar@gemeente.nl")
    response = login_through(client, FakeProvider({"email": officer.email, "email_verified": False}))
    assert response.url == settings.LOGIN_REDIRECT_URL_FAILURE
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_id_token_for_another_client_is_refused(client, oidc):
    response = login_through(client, FakeProvider({"email": "x@bedrijf.nl"}, audience="someone-else"))
    assert response.url == settings.LOGIN_REDIRECT_URL_FAILURE
    assert not User.objects.filter(email="x@bedrijf.nl").exists()
