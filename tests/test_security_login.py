"""Lockout after failed logins, rate limits, inactivity expiry and the security headers."""

import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from applicants import ratelimit
from tests.factories import PASSWORD, ApplicantFactory

LOGIN = reverse("login")


def fail_login(client, email, times):
    for _ in range(times):
        client.post(LOGIN, {"username": email, "password": "wrong-password-1"})


@pytest.mark.django_db
def test_login_is_locked_after_five_failures_with_a_clear_message(client):
    user = ApplicantFactory()
    fail_login(client, user.email, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "15" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_failures_do_not_lock_and_a_success_resets_the_count(client):
    user = ApplicantFactory()
    fail_login(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    fail_login(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client):
    user = ApplicantFactory()
    fail_login(client, user.email, settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(time.time() + settings.AXES_COOLOFF_TIME.total_seconds() + 60, tick=False):
        assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_lock_on_one_address_does_not_lock_the_account_elsewhere(client):
    user = ApplicantFactory()
    fail_login(client, user.email, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302


@pytest.mark.django_db
def test_registration_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (3, 3600)}
    for n in range(3):
        assert client.post(reverse("register"), {"email": f"x{n}@example.nl"}).status_code == 200
    response = client.post(reverse("register"), {"email": "x9@example.nl"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert client.get(reverse("register")).status_code == 200  # reading the form is not limited


@pytest.mark.django_db
def test_password_reset_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 3600)}
    for _ in range(2):
        client.post(reverse("password_reset"), {"email": "nobody@example.nl"})
    assert client.post(reverse("password_reset"), {"email": "nobody@example.nl"}).status_code == 429


@pytest.mark.django_db
def test_login_posts_are_rate_limited_across_accounts(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (3, 300)}
    for n in range(3):
        client.post(LOGIN, {"username": f"a{n}@example.nl", "password": "x"})
    assert client.post(LOGIN, {"username": "b@example.nl", "password": "x"}).status_code == 429


def test_rate_limit_counts_per_address_and_window(settings):
    settings.RATE_LIMITS = {"download": (2, 60)}
    assert ratelimit.hit("download", "10.0.0.1") and ratelimit.hit("download", "10.0.0.1")
    assert not ratelimit.hit("download", "10.0.0.1")
    assert ratelimit.hit("download", "10.0.0.2")
    with time_machine.travel(time.time() + 61, tick=False):
        assert ratelimit.hit("download", "10.0.0.1")


def test_client_address_trusts_only_the_proxy_entry_behind_the_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    settings.SECURE_PROXY_SSL_HEADER = None
    assert ratelimit.client_address(request) == "172.18.0.5"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert ratelimit.client_address(request) == "198.51.100.7"


@pytest.mark.django_db
def test_a_session_ends_after_thirty_minutes_without_activity(client):
    user = ApplicantFactory()
    start = time.time()
    with time_machine.travel(start, tick=False):
        client.force_login(user)
    with time_machine.travel(start + 25 * 60, tick=False):
        assert client.get(reverse("applicant_home")).status_code == 200  # activity restarts the clock
    with time_machine.travel(start + 50 * 60, tick=False):
        assert client.get(reverse("applicant_home")).status_code == 200
    with time_machine.travel(start + 50 * 60 + settings.SESSION_COOKIE_AGE + 1, tick=False):
        response = client.get(reverse("applicant_home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.django_db
def test_the_session_is_renewed_at_most_once_a_minute_not_on_every_request(client):
    client.force_login(ApplicantFactory())
    key = client.session.session_key
    start = time.time()

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    with time_machine.travel(start + 5, tick=False):
        saved_at_login = expiry()
        client.get(reverse("applicant_home"))
        assert expiry() == saved_at_login  # within SESSION_REFRESH_SECONDS: no write
    with time_machine.travel(start + settings.SESSION_REFRESH_SECONDS + 1, tick=False):
        client.get(reverse("applicant_home"))
        assert expiry() > saved_at_login


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_an_inline_script_runs_only_with_the_nonce_of_its_response(rf):
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.template import engines

    def view(request):
        template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">go()</script>')
        return HttpResponse(template.render({}, request))

    middleware = ContentSecurityPolicyMiddleware(view)
    first, second = middleware(rf.get("/")), middleware(rf.get("/"))
    nonce = first.content.decode().split('nonce="')[1].split('"')[0]
    assert f"script-src 'self' 'nonce-{nonce}'" in first["Content-Security-Policy"]
    assert nonce not in second["Content-Security-Policy"]


@pytest.mark.django_db
def test_production_responses_set_hsts_and_secure_httponly_cookies(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(LOGIN, secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"]
    response = client.post(LOGIN, {"username": ApplicantFactory().email, "password": PASSWORD}, secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {**os.environ, "PRODUCTION": "1", "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
           "ALLOWED_HOSTS": "subsidies.example.nl", "VAR_DIR": str(tmp_path), "DEBUG": "0",
           "EMAIL_HOST": "smtp.example.nl"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
