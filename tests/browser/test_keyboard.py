"""The application form completed with the keyboard alone: Tab to reach, type, Space to tick, Enter to send."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from grants.models import Application, ApplicationState, Scheme

from .helpers import DEMO_PASSWORD, tab_to

pytestmark = pytest.mark.django_db(transaction=True)


def press_enter_on(browser, selector):
    tab_to(browser.page, selector)
    with browser.page.expect_navigation():
        browser.page.keyboard.press("Enter")
    browser.check()


def type_into(page, selector, text):
    tab_to(page, selector)
    page.keyboard.type(text)


def test_application_form_with_the_keyboard_alone(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    b = open_browser("keyboard")
    page = b.page
    b.visit("/account/inloggen/")
    type_into(page, "[name=username]", "ondernemer@bouwkringloop.demo")
    type_into(page, "[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    voucher = Scheme.objects.get(code="circulaire-scan")
    b.visit("/regelingen/")
    press_enter_on(b, f"main a[href='/regelingen/{voucher.pk}/']")
    press_enter_on(b, "main a.button[href*='/nieuw/']")
    type_into(page, "[name=title]", "Scan van onze bouwreststromen")
    type_into(page, "[name=description]", "Een erkend adviseur onderzoekt hergebruik van bouwhout en stenen.")
    type_into(page, "[name=location]", "Rijnwoude")
    # Chromium's date field takes the digits in the order it shows them (month, day, year here).
    for name, days in (("starts_on", 30), ("ends_on", 120)):
        type_into(page, f"[name={name}]", (date.today() + timedelta(days=days)).strftime("%m%d%Y"))
    press_enter_on(b, "button[name=continue]")

    tab_to(page, "[name=current_rung]")
    page.keyboard.type("R8")
    tab_to(page, "[name=target_rung]")
    page.keyboard.type("R3")
    press_enter_on(b, "button[name=continue]")

    tab_to(page, "[name=indicators-0-indicator]")
    page.keyboard.type("Voorkomen afval")
    type_into(page, "[name=indicators-0-planned]", "5000")
    press_enter_on(b, "button[name=continue]")

    type_into(page, "[name=costs-0-description]", "Circulaire scan")
    type_into(page, "[name=costs-0-amount_excl_vat]", "2400")
    type_into(page, "[name=costs-0-vat]", "0")
    type_into(page, "[name=costs-0-incurred_on]", (date.today() + timedelta(days=45)).strftime("%m%d%Y"))
    press_enter_on(b, "button[name=continue]")

    # Attachments: the file chooser opens from the keyboard too.
    press_enter_on(b, "main a.button[href*='bijlagen']")
    tab_to(page, "[name=kind]")
    page.keyboard.type("Offerte")
    quote = tmp_path / "offerte.pdf"
    quote.write_bytes(b"%PDF-1.4\n%%EOF\n")
    tab_to(page, "[name=file]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(quote))
    press_enter_on(b, "main form[enctype] button[type=submit]")

    application = Application.objects.get(title="Scan van onze bouwreststromen")
    b.visit(f"/mijn/aanvragen/{application.pk}/stap/declarations/")
    for name in ("de_minimis_none", "declared_truthful", "consented_processing"):
        tab_to(page, f"[name={name}]")
        page.keyboard.press("Space")
    press_enter_on(b, "button[name=continue]")
    press_enter_on(b, "main form button.primary[type=submit]")

    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED, page.locator("main").inner_text()[:2000]
    assert application.requested_amount == 1200
    b.shot("submitted")
