"""A visitor without an account finds the schemes, checks which fit, and reads the accessibility statement;
browses the showcase of circular pilots and downloads the subsidy register."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from grants.models import ReportingPlan
from grants.register import COLUMNS, register_awards

from .helpers import download, t

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


def _cards(page):
    return [title.strip() for title in page.locator("main .card h2").all_inner_texts()]


def test_visitor_browses_the_showcase_and_downloads_the_subsidy_register(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    running = ReportingPlan.objects.get(application__company__kvk_number="74512348")  # Kratkring Gouda B.V.
    finished = ReportingPlan.objects.get(application__company__kvk_number="75623459")  # a sole trader
    b = open_browser("public")
    page = b.page
    b.visit("/")
    b.follow(t("Showcase of circular pilots"))
    # Both Gouda pilots opted in; the featured one comes first and never names the sole trader behind it.
    assert _cards(page) == [finished.application.title, running.application.title]
    assert t("Featured by the municipality") in page.locator("main .card").first.inner_text()
    assert "De Boer" not in page.locator("main").inner_text()
    assert "Kratkring Gouda B.V." in page.locator("main").inner_text()
    b.shot("showcase")

    page.select_option("[name=municipality]", "alphen")
    b.submit(t("Show"))
    assert "municipality=alphen" in page.url and _cards(page) == []
    assert t("No pilots to show yet.") in page.locator("main").inner_text()
    page.select_option("[name=municipality]", "gouda")
    page.select_option("[name=strategy]", "R4")  # the repair café's accepted final report: R4 Repair
    b.submit(t("Show"))
    assert _cards(page) == [finished.application.title]
    page.select_option("[name=strategy]", "R3")  # the running pilot's target until a report is accepted
    b.submit(t("Show"))
    assert _cards(page) == [running.application.title]
    assert page.locator("[name=municipality]").input_value() == "gouda"  # the filter stays as chosen
    page.select_option("[name=strategy]", "")
    b.submit(t("Show"))
    b.follow(finished.application.title, exact=True)
    main = page.locator("main").inner_text()
    assert f"/etalage/{finished.pk}/" in page.url
    assert t("A local entrepreneur") in main and "De Boer" not in main
    assert "Een wekelijks repair café" in main  # the summary the company wrote
    figures = page.locator("main table tbody").inner_text()
    assert "6100,00" in figures and "5400,00" in figures  # the accepted final report's realised figures
    assert "Vrijwilligers met technische kennis zijn schaars" in main
    b.shot("showcase-pilot")

    b.follow(t("Subsidy register"))
    b.shot("register")
    page.select_option("[name=municipality]", "gouda")
    b.submit(t("Show"))
    main = page.locator("main").inner_text()
    gouda = list(register_awards(municipality=running.application.scheme.organisation))
    assert len(page.locator("main table tbody tr").all()) == len(gouda) > 2
    assert "Kratkring Gouda B.V." in main and "Alphen" not in page.locator("main table").inner_text()
    assert t("Natural person (not published)") in main and "De Boer" not in main
    b.shot("register-gouda")

    content, content_type, name = download(b, "CSV", tmp_path)
    assert (content_type, name) == ("text/csv; charset=utf-8", "subsidieregister.csv")
    text = content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    assert sorted(row[-1] for row in rows[1:]) == sorted(application.reference for application in gouda)
    assert {row[0] for row in rows[1:]} == {"Gemeente Gouda"}
    sole_trader = next(row for row in rows if row[-1] == finished.application.reference)
    assert sole_trader[3] == "" and sole_trader[4] == ""  # neither the name nor the KvK number
    assert "De Boer" not in text and "75623459" not in text and "Kratkring Gouda B.V." in text

    content, content_type, name = download(b, "JSON", tmp_path)
    assert (content_type, name) == ("application/json", "subsidieregister.json") and content.startswith(b"[")
    records = json.loads(content)
    assert [record["reference"] for record in records] == [row[-1] for row in rows[1:]]
    assert next(r for r in records if r["reference"] == finished.application.reference)["recipient"] is None
    assert "De Boer" not in content.decode("utf-8")
