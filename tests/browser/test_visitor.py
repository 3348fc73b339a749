"""A visitor without an account finds the schemes, checks which fit, and reads the accessibility statement."""

import pytest
from django.core.management import call_command

from .helpers import t

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_finds_a_scheme_and_the_accessibility_statement(open_browser):
    call_command("seed_demo", verbosity=0)
    b = open_browser("visitor")
    page = b.page
    b.visit("/")
    b.follow(t("All schemes"))
    b.shot("schemes")
    b.follow("Microsubsidie circulaire pilot")
    assert "Gemeente Gouda" in page.locator("main").inner_text()
    b.shot("scheme")

    # An impossible answer is explained at the field; the rest of the answers stay.
    b.visit("/regelingen/check/")
    page.fill("[name=employees]", "-4")
    page.select_option("[name=legal_form]", "vof")
    b.submit(t("Check"))
    assert page.locator("#id_employees").get_attribute("aria-invalid") == "true"
    assert page.locator("[name=legal_form]").input_value() == "vof"
    page.fill("[name=employees]", "3")
    b.submit(t("Check"))
    b.shot("eligibility")

    b.follow(t("Accessibility statement"))
    assert page.locator("h1").inner_text() == t("Accessibility statement")
    b.shot("accessibility")
