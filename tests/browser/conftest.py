"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server.

Run by ``make test-browser`` (and .ci/run). Every page a journey visits is scanned with axe-core for the
WCAG 2.1 A and AA rules (``Browser.visit``/``Browser.check``); a violation fails the test naming the rule
and the elements. The test browser bypasses the Content Security Policy so axe-core's script can be
injected; the application's policy itself stays on. Screenshots of the key pages go to
``var/browser-screenshots`` (the path is printed at the end of the run).
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to a running
# loop unless told that this (single-threaded test) use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "browser-screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Live-server tests empty the database after each test. PostgreSQL's TRUNCATE passes the append-only
    triggers (workflows/append_only.py); SQLite's DELETE does not, so the browser run's SQLite test
    database drops its DELETE triggers (their behaviour is tested in workflows/tests)."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_delete'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
    yield


def pytest_sessionstart(session):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class AccessibilityViolation(AssertionError):
    pass


class Browser:
    """One person's browser tab on the live server, with the accessibility scan built into each visit."""

    def __init__(self, page, base_url, name):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.scanned = []

    def url(self, path):
        return self.base_url + path

    def visit(self, path):
        self.page.goto(self.url(path))
        self.check()
        return self.page

    def check(self, shot=None):
        """Scan the current page for WCAG 2.1 A/AA violations; optionally save a screenshot."""
        self.page.wait_for_load_state("load")
        result = _axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        violations = result.response.get("violations", [])
        self.scanned.append(self.page.url)
        if shot:
            self.shot(shot)
        if violations:
            lines = [f"WCAG 2.1 AA violations on {self.page.url}:"]
            for violation in violations:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
            raise AccessibilityViolation("\n".join(lines))

    def shot(self, name):
        slug = re.sub(r"[^a-z0-9-]+", "-", f"{self.name}-{name}".lower())
        self.page.screenshot(path=SCREENSHOTS / f"{slug}.png", full_page=True)

    def submit(self, button_name, check=True):
        """Click a submit button by its accessible name, wait for the next page, scan it."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button_name).click()
        if check:
            self.check()

    def send(self, action, check=True):
        """Submit the form whose action URL ends with ``action`` (a case step such as "/aanvulling/")."""
        with self.page.expect_navigation():
            self.page.locator(f"main form[action$='{action}'] button[type=submit]").first.click()
        if check:
            self.check()

    def follow(self, link_name, exact=False):
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=link_name, exact=exact).first.click()
        self.check()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_browser(request, chromium, live_server):
    """open_browser(name, locale='nl-NL') -> a Browser in a fresh context (its own cookies). A failing test
    leaves a screenshot of each of its browsers (``FAILED-...``) for the person reading the run."""
    opened = []

    def open_(name, locale="nl-NL"):
        context = chromium.new_context(locale=locale, bypass_csp=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        browser = Browser(context.new_page(), live_server.url, name)
        opened.append((context, browser))
        return browser

    yield open_
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for context, browser in opened:
        if failed:
            browser.shot(f"FAILED-{request.node.name}")
        context.close()
