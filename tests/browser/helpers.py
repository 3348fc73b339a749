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


def tab_to(page, selector, limit=150):
    """Press Tab until the element matching ``selector`` has the focus, and check that the focus is visible
    (WCAG 2.4.7). Fails when the keyboard cannot reach it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            style = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
            )
            assert style[0] != "none" and style[1] != "0px" or style[2] != "none", f"no visible focus on {selector}"
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def log_in_staff(browser, email, language="nl"):
    """Staff log in as in production: password, then the authenticator's code, computed here from the demo
    secret that seed_demo gives every staff account (README, demo logins)."""
    from applicants.second_factor import DEMO_TOTP_SECRET, current_code

    log_in(browser, email, language=language)
    browser.page.fill("[name=token]", current_code(DEMO_TOTP_SECRET))
    browser.submit(t("Continue", language))
    assert "/tweede-factor/" not in browser.page.url, browser.page.locator("main").inner_text()[:500]


def download(browser, link_name, folder):
    """Click the link named ``link_name`` as the person would and save the file it downloads into
    ``folder``; also fetch the same address with the person's cookies for its response headers.
    Returns (content bytes, Content-Type, suggested file name)."""
    link = browser.page.get_by_role("link", name=link_name, exact=True).first
    href = link.get_attribute("href")
    with browser.page.expect_download() as info:
        link.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    response = browser.page.context.request.get(browser.url(href) if href.startswith("/") else href)
    assert response.ok, f"{href}: {response.status}"
    return path.read_bytes(), response.headers.get("content-type", ""), info.value.suggested_filename
