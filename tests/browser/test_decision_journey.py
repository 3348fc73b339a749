"""An officer asks for information, the entrepreneur supplies it, the officer proposes an award, a second
officer approves it (four-eyes) and the entrepreneur downloads the decision letter."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from grants.models import Application, ApplicationState, LetterKind

from .helpers import log_in, log_in_staff, log_out, t

pytestmark = pytest.mark.django_db(transaction=True)


def test_information_request_assessment_four_eyes_and_letter(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    case = Application.objects.filter(state=ApplicationState.SUBMITTED, scheme__code="circulaire-scan",
                                      company__kvk_number="68750110").order_by("pk").first()
    assert case is not None

    officer = open_browser("officer")
    log_in_staff(officer, "behandelaar@alphen.demo")
    officer.visit("/behandeling/")
    officer.shot("queue")
    officer.page.fill("[name=q]", case.reference)
    officer.submit(t("Show cases"))
    officer.follow(case.reference)
    officer.shot("case")
    officer.page.fill("[name=missing]", "Stuur de offerte van de adviseur mee, met de datum van de scan.")
    officer.page.fill("[name=deadline]", (date.today() + timedelta(days=21)).isoformat())
    officer.send("/aanvulling/")
    case.refresh_from_db()
    assert case.state == ApplicationState.INFO_REQUESTED

    entrepreneur = open_browser("entrepreneur")
    log_in(entrepreneur, "ondernemer@houtwerk.demo")
    entrepreneur.visit(f"/mijn/aanvragen/{case.pk}/")
    entrepreneur.shot("information-requested")
    entrepreneur.page.fill("[name=comment]", "De offerte staat nu bij de bijlagen; de scan is op 12 januari.")
    entrepreneur.send("/aanvullen/")
    case.refresh_from_db()
    assert case.state == ApplicationState.SUBMITTED

    officer.visit(f"/behandeling/{case.pk}/")
    officer.send("/in-behandeling/")
    officer.page.check("[name=outcome][value=award]")
    officer.page.fill("[name=amount]", str(case.requested_amount))
    officer.page.fill("[name=motivation]", "De scan past binnen de regeling: hergebruik van houtreststromen (R3).")
    officer.send("/voorstel/")
    case.refresh_from_db()
    assert case.state == ApplicationState.PROPOSED, officer.page.locator("main").inner_text()[:1500]
    officer.shot("proposed")

    # The proposer cannot approve; a second officer (up to the scheme's band) can.
    assert officer.page.locator("main form[action$='/goedkeuren/']").count() == 0
    colleague = open_browser("colleague")
    log_in_staff(colleague, "collega@alphen.demo")
    colleague.visit(f"/behandeling/{case.pk}/")
    colleague.send("/goedkeuren/")
    case.refresh_from_db()
    assert case.state == ApplicationState.AWARDED, colleague.page.locator("main").inner_text()[:1500]
    colleague.shot("approved")

    entrepreneur.visit(f"/mijn/aanvragen/{case.pk}/")
    entrepreneur.shot("decision")
    letter = case.letters.get(kind=LetterKind.AWARD)  # the case also has its extension letter
    with entrepreneur.page.expect_download() as download:
        entrepreneur.page.locator(f"main a[href$='/brieven/{letter.pk}/']").first.click()
    saved = tmp_path / "besluit.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    log_out(entrepreneur)
