import os

import pytest
from django.test import Client

from tests import factories

POSTGRES = os.environ.get("RUN_POSTGRES_TESTS") == "1"
WORKER = os.environ.get("RUN_WORKER_TESTS") == "1"
# The browser tests need Chromium and a live server: `make test-browser` runs them (and .ci/run does).
collect_ignore = [] if os.environ.get("RUN_BROWSER_TESTS") == "1" else ["tests/browser"]


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="PostgreSQL-only: run by .ci/run (make test-pg)"))


def login_without_second_factor(client, user):
    """The plain force_login: the session has not passed the second factor (for the tests of that step)."""
    _plain_force_login(client, user)


def _force_login_with_second_factor(self, user, backend=None):
    """force_login stands for a complete login: for staff (who must pass a second factor) the session is
    marked as verified by a test authenticator, as the code page would after a correct code."""
    _plain_force_login(self, user, backend)
    from django_otp import DEVICE_ID_SESSION_KEY

    from applicants import second_factor

    if second_factor.mandatory_for(user):
        device = second_factor.test_authenticator(user=user)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


_plain_force_login = Client.force_login
Client.force_login = _force_login_with_second_factor


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Factories set a password on every user; the production hasher would cost a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org_x(db):
    return factories.OrganisationFactory(name="Gemeente Alphen", slug="alphen", code="ALP")


@pytest.fixture
def org_y(db):
    return factories.OrganisationFactory(name="Gemeente Gouda", slug="gouda", code="GOU")
