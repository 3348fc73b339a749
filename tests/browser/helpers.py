"""Small steps the journeys share: translated names, logging in, reading what the outbox sent."""

from django.utils import translation
from django.utils.translation import gettext

from notifications.models import Outbox

DEMO_PASSWORD = "demo-Circulair-2026"


def t(msgid, language="nl"):
    """The text a user sees for ``msgid`` in ``language``: journeys find buttons and links by it."""
    with translation.override(language):
        return gettext(msgid)


def log_in(browser, email, password=DEMO_PASSWORD, language="nl"):
    browser.visit("/account/inloggen/")
    browser.page.fill("[name=username]", email)
    browser.page.fill("[name=password]", password)
    browser.submit(t("Log in", language))


def log_out(browser, language="nl"):
    browser.submit(t("Log out", language))


def link_sent_to(email, event):
    """The link of the latest ``event`` notification to ``email`` (what the person clicks in the email)."""
    row = Outbox.objects.filter(recipient__email=email, event=event).latest("pk")
    return row.url
