import os

import pytest

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
