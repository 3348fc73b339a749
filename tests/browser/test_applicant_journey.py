"""An entrepreneur registers, creates the company profile, checks eligibility, applies for a voucher,
leaves halfway, comes back, submits and sees the receipt and the queue position."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from grants.models import Application, ApplicationState

from .helpers import link_sent_to, log_in, log_out
from .helpers import t as translate

pytestmark = pytest.mark.django_db(transaction=True)

QUOTE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def region():
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_entrepreneur_applies_for_a_voucher(region, open_browser, tmp_path, lang):
    """The whole journey, once in Dutch (the default) and once in English (switched on the first page)."""

    def t(msgid):
        return translate(msgid, lang)

    b = open_browser(f"applicant-{lang}", locale="en-GB" if lang == "en" else "nl-NL")
    page = b.page
    b.visit("/")
    if lang == "en":
        b.submit("English")
    b.shot("home")
    b.follow(t("Register"))
    page.fill("[name=full_name]", "Fatima El Amrani")
    page.fill("[name=email]", "fatima@kringloopmeubel.example")
    page.fill("[name=password1]", "Hergebruik-2026-meubel")
    page.fill("[name=password2]", "Hergebruik-2026-meubel")
    page.select_option("main [name=language]", lang)
    b.submit(t("Create account"))
    b.visit(link_sent_to("fatima@kringloopmeubel.example", "verify_email"))  # confirms and logs in

    # The company profile, with a typing mistake in the postcode corrected at the field.
    b.visit("/mijn/bedrijven/nieuw/")
    fields = {"kvk_number": "12345678", "name": "Kringloopmeubel Alphen B.V.", "street": "Hoorn 12",
              "postcode": "0000 XX", "city": "Alphen aan den Rijn", "sbi_code": "3101", "employees": "6",
              "iban": "NL91ABNA0417164300", "contact_email": "info@kringloopmeubel.example"}
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.select_option("[name=legal_form]", "bv")
    page.select_option("[name=municipality]", label="Gemeente Alphen aan den Rijn")
    b.submit(t("Save"))
    assert page.locator("#id_postcode").get_attribute("aria-invalid") == "true"
    assert page.locator("[name=name]").input_value() == "Kringloopmeubel Alphen B.V."  # nothing typed is lost
    b.shot("company-error")
    page.fill("[name=postcode]", "2401 AB")
    b.submit(t("Save"))

    # The eligibility check points at the voucher.
    b.visit("/regelingen/check/")
    page.fill("[name=employees]", "6")
    page.select_option("[name=legal_form]", "bv")
    page.select_option("[name=municipality]", label="Gemeente Alphen aan den Rijn")
    b.submit(t("Check"))
    b.shot("eligibility")
    b.follow("Circular scan voucher" if lang == "en" else "Voucher circulaire scan")
    b.follow(t("Apply"), exact=True)

    # Step one, then leave.
    page.fill("[name=title]", "Circulaire scan meubelwerkplaats")
    page.fill("[name=description]", "Een erkend adviseur brengt onze reststromen van hout en stof in kaart.")
    page.fill("[name=location]", "Hoorn 12, Alphen aan den Rijn")
    page.fill("[name=starts_on]", (date.today() + timedelta(days=30)).isoformat())
    page.fill("[name=ends_on]", (date.today() + timedelta(days=150)).isoformat())
    b.submit(t("Save and continue"))
    draft = Application.objects.get(title="Circulaire scan meubelwerkplaats")
    assert draft.state == ApplicationState.DRAFT
    log_out(b, lang)

    # Back again: the draft waits on the home page.
    log_in(b, "fatima@kringloopmeubel.example", "Hergebruik-2026-meubel", lang)
    b.follow("Circulaire scan meubelwerkplaats")
    b.follow(t("Continue: %(step)s") % {"step": t("Circular ambition")})
    page.select_option("[name=current_rung]", "R8")
    page.select_option("[name=target_rung]", "R3")
    b.submit(t("Save and continue"))
    b.shot("step-results")
    page.select_option("[name=indicators-0-indicator]", "waste_avoided")
    page.fill("[name=indicators-0-planned]", "1200")
    b.submit(t("Save and continue"))
    page.fill("[name=costs-0-description]", "Circulaire scan door erkend adviseur")
    page.fill("[name=costs-0-amount_excl_vat]", "3000")
    page.fill("[name=costs-0-vat]", "630")
    page.fill("[name=costs-0-incurred_on]", (date.today() + timedelta(days=60)).isoformat())
    b.submit(t("Save and continue"))
    b.shot("step-attachments")

    # The attachments page: a quote upload.
    b.follow(t("Upload or remove attachments"))
    quote = tmp_path / "offerte-scan.pdf"
    quote.write_bytes(QUOTE)
    page.select_option("[name=kind]", "quote")
    page.set_input_files("[name=file]", str(quote))
    b.submit(t("Upload"))
    assert page.get_by_text("offerte-scan.pdf").count() >= 1
    page.goto(b.url(f"/mijn/aanvragen/{draft.pk}/stap/declarations/"))
    b.check()
    page.check("[name=de_minimis_none]")
    page.check("[name=declared_truthful]")
    page.check("[name=consented_processing]")
    b.submit(t("Save and continue"))
    b.shot("review")
    b.submit(t("Submit application"))

    # The receipt: a reference, the decision date and the place in the first-come queue.
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    main = page.locator("main").inner_text()
    assert draft.reference in main
    assert t("Your application has been submitted. You will receive a confirmation.") in main
    assert t("Your place in line") in main
    assert page.locator("html").get_attribute("lang") == lang
    b.shot("receipt")
