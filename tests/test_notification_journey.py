"""Issue 7: every event of the list produces its notifications to the right people in the right language.

Each area's journey drives the real services (the functions the views and beat jobs call) and, after every
step, asserts exactly the outbox rows the step added as (event, recipient, language), and that each row
renders in its recipient's language. The applicant chose English, a colleague Dutch; the municipality's
officers and managers are mixed; an inactive officer, another municipality's staff and another company's
applicant must never hear of anything. Each journey asserts it passed exactly its declared steps of the
list, and the last test that the areas together declare the whole list of ISSUE_7_EVENTS.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from applicants.models import CompanyMembership
from grants.models import DecisionLetter, InstructionState, ProviderChoice, ReportKind, StaffRole
from grants.tasks import pilot_report_reminders
from notifications.events import EVENTS
from notifications.models import Outbox
from notifications.services import absolute_url, render_message
from tests import factories
from workflows import services

D = Decimal
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# The list of issue 7, each step with the events that must carry it.
ISSUE_7_EVENTS = {
    "application submitted": ("application_submitted", "application_received"),  # receipt; new case
    "information requested": ("info_requested",),
    "information supplied": ("info_supplied",),
    "case assigned": ("case_assigned",),
    "proposal awaiting approval": ("proposal_awaiting_approval",),
    "proposal sent back": ("proposal_sent_back",),
    "decision sent (with the letter)": ("decision_made",),
    "extension sent": ("extension_sent",),
    "objection lodged": ("objection_lodged",),
    "hearing scheduled": ("hearing_scheduled",),
    "objection decided": ("objection_decided",),
    "voucher issued": ("voucher_issued",),
    "redemption returned": ("voucher_redemption_returned",),
    "redemption approved": ("voucher_redeemed",),
    "report due": ("pilot_report_due",),
    "report returned": ("pilot_report_decided",),
    "report accepted": ("pilot_report_decided", "final_report_accepted"),
    "change request decided": ("change_request_decided",),
    "payment made": ("payment_made",),
    "recovery due": ("recovery_due",),
    "IBAN change confirmed": ("iban_change_confirmed",),
}

APPLICATION_STEPS = {"application submitted", "case assigned", "information requested", "information supplied",
                     "extension sent", "proposal awaiting approval", "proposal sent back",
                     "decision sent (with the letter)"}
OBJECTION_STEPS = {"objection lodged", "hearing scheduled", "objection decided"}
VOUCHER_STEPS = {"voucher issued", "redemption returned", "redemption approved"}
# Rows about no single municipality (notifications.events, municipal=False): account messages, and a company's
# bank account, which every municipality that awarded the company pays to. Every other row carries the scheme's
# municipality, so that its administrators see it on the operations page.
UNSCOPED_EVENTS = {"verify_email", "password_reset", "company_invitation", "digest", "iban_change_requested",
                   "iban_change_confirmed"}

PILOT_AND_MONEY_STEPS = {"payment made", "report due", "report returned", "report accepted", "change request decided",
                         "recovery due", "IBAN change confirmed"}

# A word of each subject in Dutch and in English (templates/notifications/<event>/subject.txt and its msgstr).
SUBJECT_WORDS = {
    "application_submitted": ("Ontvangstbevestiging", "Receipt"),
    "application_received": ("Nieuwe aanvraag", "New application"),
    "info_requested": ("Verzoek om aanvulling", "Information needed"),
    "info_supplied": ("Aanvulling ontvangen", "Information supplied"),
    "case_assigned": ("aan u toegewezen", "assigned to you"),
    "proposal_awaiting_approval": ("wacht op uw goedkeuring", "awaits your approval"),
    "proposal_sent_back": ("teruggestuurd", "sent back"),
    "decision_made": ("Besluit op uw aanvraag", "Decision on your application"),
    "extension_sent": ("uitgesteld", "postponed"),
    "objection_lodged": ("bezwaar", "objection"),
    "objection_grounds_requested": ("gronden", "grounds"),
    "hearing_scheduled": ("hoorzitting", "to be heard"),
    "objection_decision_proposed": ("wacht op goedkeuring", "awaits approval"),
    "objection_decided": ("Beslissing op uw bezwaar", "Decision on your objection"),
    "voucher_issued": ("Uw voucher", "Your voucher"),
    "voucher_redemption_submitted": ("te beoordelen", "to review"),
    "voucher_redemption_returned": ("teruggestuurd", "returned"),
    "voucher_redeemed": ("verzilverd", "redeemed"),
    "batch_awaiting_approval": ("Betaalbatch", "Payment batch"),
    "payment_made": ("Betaling", "Payment"),
    "pilot_report_due": ("Rapportage", "Report"),
    "pilot_report_submitted": ("ingediend", "submitted"),
    "pilot_report_decided": ("Rapportage", "Report"),
    "final_report_accepted": ("Eindrapportage", "Final report"),
    "change_request_submitted": ("Wijzigingsverzoek", "Change request"),
    "change_request_decided": ("wijzigingsverzoek", "change request"),
    "award_determined": ("Definitief bedrag", "Final amount"),
    "recovery_due": ("Terugbetaling", "Repayment"),
    "iban_change_requested": ("wacht op bevestiging", "awaits confirmation"),
    "iban_change_confirmed": ("bevestigd", "confirmed"),
}

pytestmark = pytest.mark.django_db


def assert_in_own_language(row):
    """The row renders with a subject in the recipient's language (and not in the other one), and never
    names the scheme by its title in the other language."""
    subject, text, html = render_message(row)
    other = Outbox(event=row.event, recipient=row.recipient, context=row.context, url=row.url,
                   language="nl" if row.language == "en" else "en")
    other_subject, _text, _html = render_message(other)
    dutch, english = SUBJECT_WORDS[row.event]
    own, foreign = (dutch, english) if row.language == "nl" else (english, dutch)
    assert own.lower() in subject.lower() and foreign.lower() not in subject.lower(), (row.event, subject)
    assert subject != other_subject and text.strip() and "<" in html
    if "scheme_nl" in row.context:
        assert row.context[f"scheme_{other.language}"] not in subject + text, (row.event, row.language)


class Journal:
    """The outbox as one journey saw it: each step asserts exactly the rows it added, each about
    ``organisation`` (the scheme's municipality) unless its event is one of UNSCOPED_EVENTS."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.seen = set(Outbox.objects.values_list("pk", flat=True))
        self.steps = set()

    def step(self, expected, *, issue=()):
        """``expected``: {(event, user, language)} the step must have added, no more, no less; ``issue``:
        the steps of issue 7 it is, whose events must be among them. Returns the new rows by event."""
        rows = list(Outbox.objects.exclude(pk__in=self.seen).select_related("recipient").order_by("pk"))
        self.seen.update(row.pk for row in rows)
        got = sorted((row.event, row.email, row.language) for row in rows)
        assert got == sorted((event, user.email, language) for event, user, language in expected)
        for row in rows:
            assert row.recipient is not None and row.recipient.email == row.email
            assert row.organisation_id == (None if row.event in UNSCOPED_EVENTS else self.organisation.pk), row.event
            assert_in_own_language(row)
        for label in issue:
            assert set(ISSUE_7_EVENTS[label]) <= {row.event for row in rows}, label
            self.steps.add(label)
        by_event = {}
        for row in rows:
            by_event.setdefault(row.event, []).append(row)
        return by_event


def to_company(event, p):
    return {(event, p.applicant, "en"), (event, p.colleague, "nl")}


def to_officers(event, p):
    return {(event, p.officer_nl, "nl"), (event, p.officer_en, "en")}


def to_managers(event, p):
    return {(event, p.manager_nl, "nl"), (event, p.manager_en, "en")}


@pytest.fixture
def p(org_x, org_y):
    """The company (an English owner and a Dutch owner), Alphen's staff in both languages and an inactive
    officer, and the people who must never hear anything: Gouda's staff and another company's applicant."""
    applicant = factories.ApplicantFactory(language="en", email="applicant@bedrijf.example.nl")
    return SimpleNamespace(
        org=org_x, applicant=applicant, company=applicant.test_company,
        colleague=factories.make_member(applicant.test_company, CompanyMembership.Role.OWNER, language="nl",
                                        email="collega@bedrijf.example.nl"),
        officer_nl=factories.make_staff(org_x, StaffRole.OFFICER, language="nl", email="ambtenaar@alphen.example.nl"),
        officer_en=factories.make_staff(org_x, StaffRole.OFFICER, language="en", email="officer@alphen.example.nl"),
        manager_nl=factories.make_staff(org_x, StaffRole.MANAGER, language="nl", email="manager@alphen.example.nl"),
        manager_en=factories.make_staff(org_x, StaffRole.MANAGER, language="en", email="director@alphen.example.nl"),
        outsiders=[
            factories.make_staff(org_x, StaffRole.OFFICER, is_active=False, email="oud@alphen.example.nl"),
            factories.make_staff(org_y, StaffRole.OFFICER, language="en", email="officer@gouda.example.nl"),
            factories.make_staff(org_y, StaffRole.MANAGER, email="manager@gouda.example.nl"),
            factories.ApplicantFactory(language="en", email="ander@bedrijf.example.nl"),
        ],
    )


def scheme_of(p, factory=factories.SchemeFactory, **fields):
    return factory(organisation=p.org, title_nl="Circulaire bedrijfsscan", title_en="Circular business scan",
                   **fields)


def assert_outsiders_heard_nothing(p):
    assert not Outbox.objects.filter(recipient__in=p.outsiders).exists()


def pay_open_instructions(journal, p, award, *, issue=()):
    """Officer prepares a batch (the managers are asked), a manager approves and marks it paid."""
    ids = list(award.payment_instructions.filter(state=InstructionState.OPEN).values_list("pk", flat=True))
    batch = services.batch_prepare(organisation_id=p.org.pk, instruction_ids=ids, actor=p.officer_nl)
    journal.step(to_managers("batch_awaiting_approval", p))
    services.batch_approve(batch_id=batch.pk, actor=p.manager_en)
    journal.step(set())
    services.batch_mark_paid(batch_id=batch.pk, actor=p.manager_en, paid_on=timezone.localdate())
    return journal.step(to_company("payment_made", p), issue=issue)


# --- applications and review ------------------------------------------------------------------------


def test_application_journey_tells_applicant_and_officers_each_in_their_language(client, p):
    application = factories.CompleteApplicationFactory(scheme=scheme_of(p), company=p.company,
                                                       created_by=p.applicant)
    journal = Journal(p.org)
    app_id = application.pk

    services.application_submit(application_id=app_id, actor=p.applicant)
    journal.step(to_company("application_submitted", p) | to_officers("application_received", p),
                 issue=["application submitted"])

    services.application_assign(application_id=app_id, actor=p.officer_nl, assignee=p.officer_en)
    journal.step({("case_assigned", p.officer_en, "en")}, issue=["case assigned"])

    services.application_request_info(application_id=app_id, actor=p.officer_en, missing="De offerte ontbreekt.")
    journal.step(to_company("info_requested", p), issue=["information requested"])

    services.application_supply_info(application_id=app_id, actor=p.applicant, comment="Quote attached.")
    journal.step({("info_supplied", p.officer_en, "en")}, issue=["information supplied"])  # the assignee only

    services.application_extend(application_id=app_id, actor=p.officer_en, weeks=4, reason="Advies nodig.")
    rows = journal.step(to_company("extension_sent", p), issue=["extension sent"])
    extension = DecisionLetter.objects.get(application_id=app_id, kind="extension")
    application.refresh_from_db()  # the message states the new due date and links the letter
    assert {(row.context["decision_due_on"], row.context["letter_url"]) for row in rows["extension_sent"]} == {
        (application.decision_due_on.isoformat(),
         absolute_url(reverse("application_letter_download", args=[app_id, extension.pk])))}

    services.application_start_review(application_id=app_id, actor=p.officer_en)
    journal.step(set())
    amount = application.requested_amount
    services.application_propose(application_id=app_id, actor=p.officer_en, outcome="award", amount=amount,
                                 motivation="Voldoet.")
    journal.step(to_managers("proposal_awaiting_approval", p), issue=["proposal awaiting approval"])

    services.application_send_back(application_id=app_id, actor=p.manager_nl, comment="Motiveer het bedrag.")
    journal.step({("proposal_sent_back", p.officer_en, "en")}, issue=["proposal sent back"])  # the proposer

    services.application_propose(application_id=app_id, actor=p.officer_en, outcome="award", amount=amount,
                                 motivation="Voldoet, bedrag gemotiveerd.")
    journal.step(to_managers("proposal_awaiting_approval", p))

    services.application_approve(application_id=app_id, actor=p.manager_nl)
    rows = journal.step(to_company("decision_made", p), issue=["decision sent (with the letter)"])
    letter = DecisionLetter.objects.get(application_id=app_id, kind="award")
    link = absolute_url(reverse("application_letter_download", args=[app_id, letter.pk]))
    assert letter.language == "en" and letter.sent_on == timezone.localdate()  # the applicant's language, sent
    for row in rows["decision_made"]:
        assert row.context["letter_url"] == link and link in render_message(row)[1]
    client.force_login(p.applicant)
    download = client.get(urlsplit(link).path)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    assert journal.steps == APPLICATION_STEPS
    assert_outsiders_heard_nothing(p)


# --- objections ---------------------------------------------------------------------------------------


def test_objection_journey_tells_objectors_officers_and_managers_each_in_their_language(client, p):
    application = factories.ApplicationFactory(
        scheme=scheme_of(p), company=p.company, created_by=p.applicant, rejected=True,
        proposed_by=p.officer_nl, decided_by=p.manager_nl)
    journal = Journal(p.org)

    objection = services.objection_lodge(application_id=application.pk, actor=p.applicant)  # pro forma
    journal.step(to_officers("objection_lodged", p), issue=["objection lodged"])

    services.objection_request_grounds(objection_id=objection.pk, actor=p.officer_en)
    journal.step(to_company("objection_grounds_requested", p))

    services.objection_supply_grounds(objection_id=objection.pk, actor=p.colleague, grounds="De scan is circulair.")
    rows = journal.step(to_officers("objection_lodged", p))
    assert {row.context.get("grounds_supplied") for row in rows["objection_lodged"]} == {True}

    services.objection_schedule_hearing(objection_id=objection.pk, actor=p.officer_en, place="Stadhuis, zaal 2",
                                        at=timezone.now() + datetime.timedelta(days=10))
    journal.step(to_company("hearing_scheduled", p), issue=["hearing scheduled"])

    services.objection_hear(objection_id=objection.pk, actor=p.officer_en, minutes="Toegelicht.")
    journal.step(set())
    services.objection_propose(objection_id=objection.pk, actor=p.officer_en, outcome="unfounded",
                               motivation="Het besluit blijft.")
    # manager_nl took the decision objected to: only manager_en may decide the objection (Awb 7:5 spirit).
    journal.step({("objection_decision_proposed", p.manager_en, "en")})
    services.objection_send_back(objection_id=objection.pk, actor=p.manager_en, comment="Ga in op de scan.")
    journal.step({("proposal_sent_back", p.officer_en, "en")})
    services.objection_propose(objection_id=objection.pk, actor=p.officer_en, outcome="unfounded",
                               motivation="Het besluit blijft; de scan is geen circulair ontwerp.")
    journal.step({("objection_decision_proposed", p.manager_en, "en")})

    services.objection_decide(objection_id=objection.pk, actor=p.manager_en)
    rows = journal.step(to_company("objection_decided", p), issue=["objection decided"])
    assert {row.context["outcome"] for row in rows["objection_decided"]} == {"unfounded"}
    letter = DecisionLetter.objects.get(objection_id=objection.pk, kind="objection_decision", language="en")
    link = absolute_url(reverse("application_letter_download", args=[application.pk, letter.pk]))
    for row in rows["objection_decided"]:  # the decision on the objection links its letter, as decision_made does
        assert row.context["letter_url"] == link and link in render_message(row)[1] and link in render_message(row)[2]
    client.force_login(p.applicant)
    download = client.get(urlsplit(link).path)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    assert journal.steps == OBJECTION_STEPS
    assert_outsiders_heard_nothing(p)


# --- vouchers -----------------------------------------------------------------------------------------


def redemption(voucher, **changes):
    return {"invoice_number": "F-2026-0012", "invoice_date": timezone.localdate(),
            "invoice_provider_kvk": voucher.provider.kvk_number, "amount_excl_vat": D("2400.00"),
            "amount_incl_vat": D("2904.00"), "invoice_file": SimpleUploadedFile("factuur.pdf", factories.PDF_BYTES),
            "deliverable_file": SimpleUploadedFile("scan.pdf", factories.PDF_BYTES), **changes}


def test_voucher_journey_tells_company_provider_and_officers_each_in_their_language(p):
    scheme = scheme_of(p)
    provider = factories.ProviderFactory(scheme=scheme)
    adviser = factories.make_provider_user(provider, language="nl", email="adviseur@scan.example.nl")
    p.outsiders.append(factories.make_provider_user(factories.ProviderFactory(scheme=scheme), language="en"))
    application = factories.ApplicationFactory(scheme=scheme, company=p.company, created_by=p.applicant,
                                               proposed=True, requested_amount=D("1500.00"),
                                               proposed_amount=D("1500.00"))
    ProviderChoice.objects.create(application=application, provider=provider)
    journal = Journal(p.org)

    services.application_approve(application_id=application.pk, actor=p.manager_nl)
    to_company_and_provider = to_company("voucher_issued", p) | {("voucher_issued", adviser, "nl")}
    journal.step(to_company("decision_made", p) | to_company_and_provider, issue=["voucher issued"])
    voucher = application.voucher

    services.voucher_submit_redemption(voucher_id=voucher.pk, actor=adviser, **redemption(voucher))
    journal.step(to_officers("voucher_redemption_submitted", p))

    services.voucher_return_redemption(voucher_id=voucher.pk, actor=p.officer_en, reasons="Het rapport ontbreekt.")
    journal.step(to_company("voucher_redemption_returned", p) | {("voucher_redemption_returned", adviser, "nl")},
                 issue=["redemption returned"])

    services.voucher_submit_redemption(voucher_id=voucher.pk, actor=p.applicant,
                                       **redemption(voucher, invoice_number="F-2026-0013"))
    journal.step(to_officers("voucher_redemption_submitted", p))

    services.voucher_approve_redemption(voucher_id=voucher.pk, actor=p.officer_en)
    rows = journal.step(to_company("voucher_redeemed", p) | {("voucher_redeemed", adviser, "nl")},
                        issue=["redemption approved"])
    assert {row.context["amount"] for row in rows["voucher_redeemed"]} == {"1200.00"}

    # Paid to the provider; the company hears of it (payments.batch_mark_paid), the provider does not.
    pay_open_instructions(journal, p, application.award)

    assert journal.steps == VOUCHER_STEPS
    assert_outsiders_heard_nothing(p)


# --- pilots and money ---------------------------------------------------------------------------------


def test_pilot_and_money_journey_tells_grantee_and_officers_each_in_their_language(p, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=AMSTERDAM), tick=False)
    scheme = scheme_of(p, factories.PilotSchemeFactory, ceiling=D("200000.00"))
    application = factories.ApplicationFactory(scheme=scheme, company=p.company, created_by=p.applicant,
                                               proposed=True, requested_amount=D("50000.00"),
                                               proposed_amount=D("50000.00"))
    journal = Journal(p.org)

    services.application_approve(application_id=application.pk, actor=p.manager_nl)
    journal.step(to_company("decision_made", p))
    award, plan = application.award, application.reporting_plan

    rows = pay_open_instructions(journal, p, award, issue=["payment made"])  # the 80% advance
    assert {row.context[f"paid_{row.language}"] for row in rows["payment_made"]} == {"EUR 40.000,00",
                                                                                      "EUR 40,000.00"}

    progress = plan.reports.filter(kind=ReportKind.PROGRESS).order_by("due_on").first()
    time_machine.move_to(datetime.datetime.combine(progress.due_on - datetime.timedelta(days=14),
                                                   datetime.time(10), tzinfo=AMSTERDAM), tick=False)
    assert pilot_report_reminders() == 1  # the beat job
    journal.step(to_company("pilot_report_due", p), issue=["report due"])

    def submit(report, actor, **fields):
        services.report_save(report_id=report.pk, actor=actor, narrative="Eerste partij hout hergebruikt.",
                             rung_achieved="R3", lessons_learned="", costs_spent=D("4000.00"), realised={},
                             **fields)
        services.report_submit(report_id=report.pk, actor=actor)
        journal.step(to_officers("pilot_report_submitted", p))

    submit(progress, p.applicant)
    services.report_return(report_id=progress.pk, actor=p.officer_en, comment="Voeg foto's toe.")
    rows = journal.step(to_company("pilot_report_decided", p), issue=["report returned"])
    assert {row.context["outcome"] for row in rows["pilot_report_decided"]} == {"returned"}
    submit(progress, p.colleague)
    services.report_accept(report_id=progress.pk, actor=p.officer_en)
    journal.step(to_company("pilot_report_decided", p))

    change = services.change_request_submit(application_id=application.pk, actor=p.applicant,
                                            kind="change_activities", description="Ander hout.")
    journal.step(to_officers("change_request_submitted", p))
    services.change_request_approve(change_request_id=change.pk, actor=p.officer_en, comment="Akkoord.")
    rows = journal.step(to_company("change_request_decided", p), issue=["change request decided"])
    assert {row.context["outcome"] for row in rows["change_request_decided"]} == {"approved"}

    final = plan.reports.get(kind=ReportKind.FINAL)
    submit(final, p.applicant)
    services.report_accept(report_id=final.pk, actor=p.officer_en, comment="Compleet.")
    rows = journal.step(to_company("pilot_report_decided", p) | to_officers("final_report_accepted", p),
                        issue=["report accepted"])
    assert {row.context["outcome"] for row in rows["pilot_report_decided"]} == {"accepted"}

    # Determined below the paid advance: 10,000 must be paid back (Awb 4:57).
    services.award_determine(award_id=award.pk, actor=p.officer_en, amount=D("30000.00"), motivation="Deels.")
    rows = journal.step(to_company("recovery_due", p) | to_company("award_determined", p), issue=["recovery due"])
    assert {row.context[f"recovery_{row.language}"] for row in rows["recovery_due"]} == {"EUR 10.000,00",
                                                                                         "EUR 10,000.00"}

    change = services.iban_change_request(company_id=p.company.pk, actor=p.applicant, iban="NL02ABNA0123456789")
    journal.step({("iban_change_requested", p.colleague, "nl")})  # the other owner, who may confirm
    services.iban_change_confirm(change_id=change.pk, actor=p.colleague)
    journal.step(to_company("iban_change_confirmed", p), issue=["IBAN change confirmed"])

    assert journal.steps == PILOT_AND_MONEY_STEPS
    assert_outsiders_heard_nothing(p)


# --- the list itself ----------------------------------------------------------------------------------


def test_exactly_the_unscoped_events_are_declared_about_no_municipality():
    assert {event for event, spec in EVENTS.items() if not spec.municipal} == UNSCOPED_EVENTS


def test_the_journeys_together_cover_every_event_of_issue_7():
    areas = [APPLICATION_STEPS, OBJECTION_STEPS, VOUCHER_STEPS, PILOT_AND_MONEY_STEPS]
    assert set().union(*areas) == set(ISSUE_7_EVENTS)
    assert sum(len(area) for area in areas) == len(ISSUE_7_EVENTS)  # each step is one journey's
    for events in ISSUE_7_EVENTS.values():
        for event in events:
            assert EVENTS[event].email and EVENTS[event].inbox, event
            assert SUBJECT_WORDS[event], event
            for name in ("subject.txt", "body.txt", "body.html"):
                get_template(f"notifications/{event}/{name}")
