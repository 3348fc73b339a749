"""An applicant lodges an objection (with grounds) against a rejection, the officer schedules and records
the hearing and proposes to find it founded, a manager who did not take the rejection decides it (four-eyes)
and the applicant sees the outcome: the new award and the decision letter."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from applicants.models import User
from grants.models import (
    Application,
    ApplicationState,
    LedgerEntry,
    LedgerKind,
    LetterKind,
    Objection,
    ObjectionOutcome,
    ObjectionState,
)
from notifications.models import Outbox
from workflows import services

from .helpers import link_sent_to, log_in, log_in_staff, log_out, t

pytestmark = pytest.mark.django_db(transaction=True)

GROUNDS = "De scan richt zich juist op hergebruik: het opgeslagen hout gaat naar onze nieuwe meubellijn (R3)."
PLACE = "Stadhuis Alphen, Stadhuisplein 1, zaal 2"
MINUTES = "Bezwaarde toont de inkooporders van de meubellijn: het hout uit de opslag wordt daarin hergebruikt."
MOTIVATION = "Bij heroverweging past de scan binnen de regeling: het hout wordt hergebruikt (R3)."


def _rejected_case():
    """Houtwerk's submitted scan of its timber storage, rejected by the budget holder (as in the demo)."""
    case = Application.objects.get(title="Circulaire scan houtopslag", state=ApplicationState.SUBMITTED)
    officer = User.objects.get(email="behandelaar@alphen.demo")
    services.application_start_review(application_id=case.pk, actor=officer)
    services.application_propose(application_id=case.pk, actor=officer, outcome="reject", amount=None,
                                 motivation="De scan richt zich niet op hergebruik van materialen.",
                                 rejection_reason="insufficient_quality")
    services.application_approve(application_id=case.pk, actor=User.objects.get(email="budgethouder@alphen.demo"))
    case.refresh_from_db()
    assert case.state == ApplicationState.REJECTED and case.decided_by.email == "budgethouder@alphen.demo"
    return case


def test_objection_lodged_heard_and_decided_founded_by_another_manager(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    case = _rejected_case()

    # The applicant objects from the case page, with grounds.
    applicant = open_browser("objector")
    log_in(applicant, "ondernemer@houtwerk.demo")
    applicant.visit(f"/mijn/aanvragen/{case.pk}/")
    applicant.shot("rejected")
    applicant.follow(t("Lodge an objection"))
    applicant.shot("lodge")
    applicant.page.fill("[name=grounds]", GROUNDS)
    applicant.submit(t("Lodge objection"))
    objection = Objection.objects.get(application=case)
    assert objection.state == ObjectionState.LODGED and objection.grounds == GROUNDS and not objection.late
    assert applicant.page.url.endswith(f"/mijn/bezwaren/{objection.pk}/")
    assert GROUNDS in applicant.page.locator("main").inner_text()

    # The officer finds it among the open objections and invites the objector to a hearing.
    officer = open_browser("officer")
    log_in_staff(officer, "behandelaar@alphen.demo")
    officer.visit("/behandeling/bezwaren/")
    officer.shot("objections")
    officer.follow(case.reference, exact=True)
    hearing_day = date.today() + timedelta(days=14)
    officer.page.fill("[name=date]", hearing_day.isoformat())
    officer.page.fill("[name=time]", "10:30")
    officer.page.fill("[name=place]", PLACE)
    officer.send("/hoorzitting/")
    objection.refresh_from_db()
    assert objection.hearing_place == PLACE and objection.hearing_at.date() == hearing_day, (
        officer.page.locator("main").inner_text()[:1500])
    assert Outbox.objects.filter(event="hearing_scheduled", recipient__email="ondernemer@houtwerk.demo").exists()

    # The objector opens the invitation and sees when and where.
    applicant.visit(link_sent_to("ondernemer@houtwerk.demo", "hearing_scheduled"))
    assert PLACE in applicant.page.locator("main").inner_text()
    applicant.shot("hearing-invitation")

    # After the hearing the officer records the minutes and proposes: founded, an award of the request.
    officer.page.fill("[name=minutes]", MINUTES)
    officer.send("/gehoord/")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.HEARD, officer.page.locator("main").inner_text()[:1500]
    officer.page.check(f"[name=outcome][value={ObjectionOutcome.FOUNDED}]")
    officer.page.check("[name=new_outcome][value=award]")
    officer.page.fill("[name=new_amount]", str(case.requested_amount))
    officer.page.fill("[name=motivation]", MOTIVATION)
    officer.send("/voorstel/")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.PROPOSED, officer.page.locator("main").inner_text()[:1500]
    assert objection.proposed_amount == case.requested_amount
    assert officer.page.locator("main form[action$='/beslissen/']").count() == 0  # not the proposer
    officer.shot("proposed")

    # The budget holder took the rejection: he may not decide the objection against it.
    budget_holder = open_browser("budget-holder")
    log_in_staff(budget_holder, "budgethouder@alphen.demo")
    budget_holder.visit(f"/behandeling/bezwaren/{objection.pk}/")
    assert budget_holder.page.locator("main form[action$='/beslissen/']").count() == 0
    assert t("Waiting for the decision of a manager who neither proposed it nor took the decision objected to "
             "(four-eyes principle).") in budget_holder.page.locator("main").inner_text()

    # Another manager, the legal adviser, decides as proposed: the rejection becomes an award.
    jurist = open_browser("jurist")
    log_in_staff(jurist, "jurist@alphen.demo")
    jurist.visit(f"/behandeling/bezwaren/{objection.pk}/")
    jurist.shot("to-decide")
    jurist.send("/beslissen/")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DECIDED, jurist.page.locator("main").inner_text()[:1500]
    assert objection.outcome == ObjectionOutcome.FOUNDED and objection.decided_by.email == "jurist@alphen.demo"
    case.refresh_from_db()
    assert case.state == ApplicationState.AWARDED and case.awarded_amount == Decimal("1200.00")
    commitments = LedgerEntry.objects.filter(application=case, kind=LedgerKind.COMMITMENT)
    assert sum(entry.amount for entry in commitments) == Decimal("1200.00")
    jurist.shot("decided")

    # The objector sees the outcome, the new award and the letter with the decision on the objection.
    applicant.visit(f"/mijn/bezwaren/{objection.pk}/")
    main = applicant.page.locator("main").inner_text()
    assert t("Founded") in main and "1.200,00" in main and MOTIVATION in main
    assert applicant.page.get_by_role("heading", name=t("Appeal")).count() == 1
    applicant.shot("outcome")
    applicant.visit(f"/mijn/aanvragen/{case.pk}/")
    letter = case.letters.get(kind=LetterKind.OBJECTION_DECISION)
    with applicant.page.expect_download() as download:
        applicant.page.locator(f"main a[href$='/brieven/{letter.pk}/']").first.click()
    saved = tmp_path / "beslissing-op-bezwaar.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    log_out(applicant)
