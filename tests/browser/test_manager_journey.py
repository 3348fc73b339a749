"""A manager reads the budget dashboard and downloads its exports (Alphen's budget holder); Gouda's manager
reads the results of the pilots and downloads them as a workbook. Each sees only their own municipality."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from grants.demin import REGISTER_HEADER
from grants.models import Award, Budget, LedgerEntry, Organisation
from grants.templatetags.money import format_money

from .helpers import download, log_in_staff, log_out, t, tab_to

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEDGER_HEADER = ["date", "municipality", "scheme", "application", "kind", "amount", "note", "idempotency_key"]
AWARD_HEADER = ["reference", "municipality", "scheme", "company", "kvk_number", "state", "grant_date", "amount",
                "advance", "determined_amount"]


def _money(amount):
    return format_money(amount, "nl")


def _csv(content):
    assert content and not content.startswith(b"<")  # a file, not a page
    return list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))


def _xlsx(content):
    assert content.startswith(b"PK\x03\x04")  # a zip: the Office Open XML container
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def test_manager_reads_the_budget_dashboard_and_downloads_the_exports(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    alphen, gouda = Organisation.objects.get(slug="alphen"), Organisation.objects.get(slug="gouda")

    manager = open_browser("budget-manager")
    log_in_staff(manager, "budgethouder@alphen.demo")
    manager.follow(t("Budgets"), exact=True)
    page = manager.page
    manager.shot("budgets")
    # The wide table scrolls inside the page (WCAG 1.4.10 reflow), and the keyboard reaches its region.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab_to(page, ".table-scroll")
    table = page.locator("main table")
    for budget in Budget.objects.filter(scheme__organisation=alphen).select_related("scheme"):
        cells = table.locator("tbody tr", has=page.locator("th", has_text=budget.scheme.title_nl)).first
        text = cells.inner_text()
        for amount in (budget.ceiling, budget.committed, budget.paid, budget.available):
            assert _money(amount) in text, (budget.scheme.code, _money(amount), text)
    assert gouda.name not in table.inner_text()

    ledger = LedgerEntry.objects.filter(budget__scheme__organisation=alphen)
    content, content_type, name = download(manager, t("ledger (CSV)"), tmp_path)
    assert (content_type, name) == (CSV, "ledger.csv")
    rows = _csv(content)
    assert rows[0] == LEDGER_HEADER
    assert len(rows) - 1 == ledger.count() > 0
    assert {row[1] for row in rows[1:]} == {alphen.name}
    assert sorted(row[7] for row in rows[1:]) == sorted(ledger.values_list("idempotency_key", flat=True))

    content, content_type, name = download(manager, t("ledger (XLSX)"), tmp_path)
    assert (content_type, name) == (XLSX, "ledger.xlsx")
    sheets = _xlsx(content)
    assert sheets["ledger"][0] == LEDGER_HEADER and len(sheets["ledger"]) - 1 == ledger.count()

    awards = Award.objects.filter(application__scheme__organisation=alphen)
    content, content_type, name = download(manager, t("awards (CSV)"), tmp_path)
    assert (content_type, name) == (CSV, "awards.csv")
    rows = _csv(content)
    assert rows[0] == AWARD_HEADER
    assert sorted(row[0] for row in rows[1:]) == sorted(awards.values_list("application__reference", flat=True))

    content, content_type, name = download(manager, t("awards (XLSX)"), tmp_path)
    assert (content_type, name) == (XLSX, "awards.xlsx")
    sheets = _xlsx(content)
    assert sheets["awards"][0] == AWARD_HEADER and len(sheets["awards"]) - 1 == awards.count() > 0

    content, content_type, name = download(manager, t("de minimis register (CSV)"), tmp_path)
    assert (content_type, name) == (CSV, "de-minimis.csv")
    rows = _csv(content)
    assert rows[0] == REGISTER_HEADER and len(rows) > 1
    assert {row[4] for row in rows[1:]} == {alphen.name}
    log_out(manager)


def test_manager_reads_the_pilot_results_and_downloads_them(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    manager = open_browser("results-manager")
    log_in_staff(manager, "budgethouder@gouda.demo")
    manager.follow(t("Pilot results"), exact=True)
    manager.shot("results")
    text = manager.page.locator("main").inner_text()
    # Gouda's finished repair café counts with its accepted final report: 6,100 kg of waste avoided for
    # EUR 7,600 spent, EUR 1,245.90 per tonne; its lesson is listed. The running pilot's report awaits a
    # decision and does not count; Alphen's figures are not Gouda's manager's.
    for section in (t("Per scheme"), t("Per municipality"), t("Per R-strategy")):
        assert section in text
    assert _money("1245.90") in text and _money("7600") in text
    assert "Vrijwilligers met technische kennis zijn schaars" in text
    assert "Horeca wil een vaste ophaaldag" not in text
    assert "Alphen" not in text

    content, content_type, name = download(manager, t("Download as Excel (XLSX)"), tmp_path)
    assert (content_type, name) == (XLSX, "pilotresultaten.xlsx")
    sheets = _xlsx(content)
    assert list(sheets) == [t("Per scheme"), t("Per municipality"), t("Per R-strategy"), t("Lessons learned")]
    by_municipality = sheets[t("Per municipality")]
    assert by_municipality[0][:5] == [t("Group"), t("Indicator"), t("Unit"), t("Planned"), t("Realised")]
    waste = [row for row in by_municipality[1:] if row[2] == "kg" and row[4] == 6100]
    assert waste and waste[0][0] == "Gemeente Gouda" and waste[0][3] == 12000 and waste[0][5] == 1
    lessons = sheets[t("Lessons learned")]
    assert any("Vrijwilligers met technische kennis" in (row[3] or "") for row in lessons[1:])
    log_out(manager)
