"""A pilot reports its results, the officer accepts the reports and determines the award: the grantee of
Gouda's running pilot (Kratkring Gouda, grants/demo_pilots.py) writes the final report with typed results,
the officer accepts the progress and the final report and sets the final amount on the award page."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from grants.management.commands.seed_demo import DEMO_PDF
from grants.models import (
    AwardState,
    InstructionState,
    LedgerEntry,
    LedgerKind,
    LetterKind,
    Milestone,
    PaymentKind,
    ReportingPlan,
    ReportKind,
    ReportState,
)

from .helpers import link_sent_to, log_in, log_in_staff, log_out, t

pytestmark = pytest.mark.django_db(transaction=True)


def test_pilot_reports_results_and_the_officer_accepts_and_determines(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    plan = ReportingPlan.objects.select_related("application__award").get(application__company__kvk_number="74512348")
    application, award = plan.application, plan.application.award
    progress = plan.reports.get(kind=ReportKind.PROGRESS)
    final = plan.reports.get(kind=ReportKind.FINAL)
    assert (progress.state, final.state, award.state) == (ReportState.SUBMITTED, ReportState.DUE, AwardState.GRANTED)
    assert award.amount == Decimal("8000.00")

    grantee = open_browser("pilot-grantee")
    log_in(grantee, "ondernemer@kratkring.demo")
    grantee.visit(f"/mijn/aanvragen/{application.pk}/pilot/")
    grantee.shot("pilot")
    grantee.follow(f"{t('Write report')} {t('Final report')}")
    page = grantee.page
    page.fill("[name=narrative]", "Twintig horecazaken werken met statiegeldkratten; 9.000 kratten in omloop.")
    page.select_option("[name=rung_achieved]", "R3")
    page.fill("[name=lessons_learned]", "Een vaste ophaaldag per wijk maakt het voor de horeca eenvoudig.")
    page.fill("[name=costs_spent]", "15000")
    page.fill("[name=realised_waste_avoided]", "11250")
    page.set_input_files("[name=file]", files=[{"name": "kratten.pdf", "mimeType": "application/pdf",
                                                "buffer": DEMO_PDF}])
    # Submitted without the CO2 figure: refused with the reason, the draft and its file are kept.
    grantee.submit(t("Save and submit"))
    final.refresh_from_db()
    assert final.state == ReportState.DUE
    assert t("Fill in the realised value of every planned result.") in page.locator("main").inner_text()
    assert page.locator("[name=realised_waste_avoided]").input_value() == "11250.00"
    assert page.locator("[name=costs_spent]").input_value() == "15000.00"
    assert final.attachments.get().original_name == "kratten.pdf"
    grantee.shot("report-refused")

    page.fill("[name=realised_co2_avoided]", "7900.5")
    grantee.submit(t("Save and submit"))
    final.refresh_from_db()
    assert final.state == ReportState.SUBMITTED, page.locator("main").inner_text()[:1500]
    assert (final.rung_achieved, final.costs_spent) == ("R3", Decimal("15000.00"))
    realised = {row.indicator: (row.planned, row.realised) for row in final.indicators.all()}
    assert realised == {"waste_avoided": (Decimal("12000.00"), Decimal("11250.00")),
                        "co2_avoided": (Decimal("8500.00"), Decimal("7900.50"))}
    assert f"/mijn/aanvragen/{application.pk}/pilot/" in page.url
    grantee.shot("report-submitted")

    officer = open_browser("pilot-officer")
    log_in_staff(officer, "behandelaar@gouda.demo")
    officer.visit(f"/behandeling/{application.pk}/")
    officer.follow(t("Pilot: reporting plan, reports and change requests"))
    officer.shot("pilot-case")
    for report in (progress, final):
        officer.page.check(f"[name=report-{report.pk}-decision][value=accept]")
        officer.page.fill(f"[name=report-{report.pk}-comment]", "Akkoord, de resultaten zijn onderbouwd.")
        officer.send(f"/rapportages/{report.pk}/besluit/")
        report.refresh_from_db()
        assert report.state == ReportState.ACCEPTED, officer.page.locator("main").inner_text()[:1500]
    assert Milestone.objects.get(pk=progress.milestone_id).tranche_released_on is not None  # its tranche
    officer.shot("reports-accepted")

    # The grantee sees the accepted report; the officer follows the notification to the award page.
    grantee.visit(f"/mijn/aanvragen/{application.pk}/pilot/rapportages/{final.pk}/")
    assert t("Accepted") in grantee.page.locator("main").inner_text()
    officer.visit(link_sent_to("behandelaar@gouda.demo", "final_report_accepted"))
    assert f"/behandeling/toekenningen/{award.pk}/" in officer.page.url
    officer.shot("award")
    instructed = sum(i.amount for i in award.payment_instructions.filter(
        state__in=[InstructionState.BATCHED, InstructionState.PAID]))
    # Half the costs spent (the scheme pays 50%): EUR 7,500 of the EUR 8,000 awarded.
    officer.page.fill("[name=amount]", "9000")
    officer.page.fill("[name=motivation]", "Te hoog.")
    officer.send("/vaststellen/")
    award.refresh_from_db()
    assert award.state == AwardState.GRANTED and award.determined_amount is None
    assert officer.page.locator("main .message-error").count() == 1  # never above the award (Awb 4:46)
    officer.page.fill("[name=amount]", "7500")
    officer.page.fill("[name=motivation]", "De kosten vielen lager uit: 50% van EUR 15.000 aan gemaakte kosten.")
    officer.send("/vaststellen/")
    award.refresh_from_db()
    assert award.state in (AwardState.DETERMINED, AwardState.SETTLED), officer.page.locator("main").inner_text()[:1500]
    assert award.determined_amount == Decimal("7500.00")
    assert LedgerEntry.objects.filter(application=application, kind=LedgerKind.RELEASE,
                                      amount=Decimal("500.00")).exists()
    remainder = award.payment_instructions.get(kind=PaymentKind.REMAINDER)
    assert remainder.amount == Decimal("7500.00") - instructed
    assert not award.payment_instructions.filter(kind=PaymentKind.ADVANCE, state=InstructionState.OPEN).exists()
    text = officer.page.locator("main").inner_text()
    assert "7.500,00" in text and t("The final amount has been determined.") in officer.page.content()
    officer.shot("determined")

    letter = application.letters.get(kind=LetterKind.DETERMINATION)
    grantee.visit(f"/mijn/aanvragen/{application.pk}/")
    grantee.shot("determination")
    with grantee.page.expect_download() as download:
        grantee.page.locator(f"main a[href$='/brieven/{letter.pk}/']").first.click()
    saved = tmp_path / "vaststelling.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    log_out(grantee)
