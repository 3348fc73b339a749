"""Pilot grants after the award: the reporting plan, the report machine (due -> submitted ->
accepted | returned -> submitted), change requests and the report reminders."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from grants.models import (
    ChangeRequest,
    Milestone,
    Report,
    ReportIndicator,
    ReportingPlan,
    ReportKind,
    SchemeKind,
    StaffRole,
)
from notifications.models import Outbox
from tests import factories
from workflows import services
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(org_x):
    grantee = factories.ApplicantFactory()
    plan = factories.awarded_pilot(
        scheme=factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT, max_amount=Decimal("50000"),
                                       milestone_tranche_percentage=20),
        company=grantee.test_company, created_by=grantee)
    plan.grantee = grantee
    plan.officer = factories.make_staff(org_x, StaffRole.OFFICER)
    plan.manager = factories.make_staff(org_x, StaffRole.MANAGER)
    return plan


def first_progress(plan):
    return plan.reports.filter(kind=ReportKind.PROGRESS).order_by("due_on").first()


def fill(report, actor, **changes):
    data = {"narrative": "Eerste partij hout hergebruikt.", "rung_achieved": "R3", "lessons_learned": "",
            "costs_spent": Decimal("4000.00"), "realised": {"co2_avoided": Decimal("2500")}} | changes
    return services.report_save(report_id=report.pk, actor=actor, **data)


@time_machine.travel(datetime.date(2026, 3, 2))
def test_approving_a_pilot_award_makes_the_plan_from_the_scheme_defaults(org_x):
    scheme = factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT, max_amount=Decimal("50000"),
                                     progress_report_months=4, final_report_weeks=8, determination_request_weeks=13)
    application = factories.ApplicationFactory(
        scheme=scheme, proposed=True, requested_amount=Decimal("20000"), proposed_amount=Decimal("20000"),
        starts_on=datetime.date(2026, 3, 2), ends_on=datetime.date(2027, 3, 1))
    application.indicators.create(indicator="co2_avoided", planned=Decimal("12000"))
    manager = factories.make_staff(org_x, StaffRole.MANAGER)

    services.application_approve(application_id=application.pk, actor=manager)

    plan = application.reporting_plan
    # Progress every 4 months before the end (2 July, 2 November), the final report 8 weeks after the end
    # (26 April 2027, King's Day 27 April is after), the determination deadline 13 weeks after it.
    assert [r.due_on for r in plan.reports.filter(kind="progress")] == [datetime.date(2026, 7, 2),
                                                                         datetime.date(2026, 11, 2)]
    assert plan.reports.get(kind="final").due_on == datetime.date(2027, 4, 26)
    assert plan.determination_request_due_on == datetime.date(2027, 5, 31)
    assert plan.milestones.count() == 2
    assert set(ReportIndicator.objects.filter(report__plan=plan).values_list("indicator", "unit", "planned")) == {
        ("co2_avoided", "kg", Decimal("12000.00"))}


def test_a_voucher_award_gets_no_reporting_plan(org_x):
    application = factories.ApplicationFactory(scheme=factories.SchemeFactory(organisation=org_x), proposed=True)
    services.application_approve(application_id=application.pk, actor=factories.make_staff(org_x, StaffRole.MANAGER))
    application.refresh_from_db()
    assert application.state == "awarded"
    assert not ReportingPlan.objects.filter(application=application).exists()


def test_grantee_submits_a_progress_report_and_officers_are_notified(pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    report.refresh_from_db()
    assert report.state == "submitted" and report.submitted_by == pilot.grantee
    assert Outbox.objects.filter(event="pilot_report_submitted", recipient=pilot.officer).exists()
    log = TransitionLog.objects.get(content_type=ContentType.objects.get_for_model(Report), object_id=report.pk)
    assert (log.source_state, log.target_state, log.actor) == ("due", "submitted", pilot.grantee)


def test_report_without_a_narrative_cannot_be_submitted(pilot):
    report = first_progress(pilot)
    with translation.override("en"), pytest.raises(TransitionRefused, match="Describe what was done"):
        services.report_submit(report_id=report.pk, actor=pilot.grantee)
    report.refresh_from_db()
    assert report.state == "due"
    assert not Outbox.objects.filter(event="pilot_report_submitted").exists()


def test_final_report_needs_every_realised_figure_and_the_strategy(pilot):
    final = pilot.reports.get(kind="final")
    fill(final, pilot.grantee, rung_achieved="")
    with translation.override("en"), pytest.raises(TransitionRefused) as refusal:
        services.report_submit(report_id=final.pk, actor=pilot.grantee)
    assert "R-ladder" in refusal.value.message and "every planned result" in refusal.value.message


def test_another_company_and_staff_cannot_submit_the_report(pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    for outsider in (factories.ApplicantFactory(), pilot.officer):
        with pytest.raises(TransitionRefused):
            services.report_submit(report_id=report.pk, actor=outsider)
    with pytest.raises(TransitionRefused):
        services.report_save(report_id=report.pk, actor=factories.ApplicantFactory(), narrative="x",
                             rung_achieved="", lessons_learned="", costs_spent=None, realised={})


def test_officer_accepts_and_the_milestone_releases_its_tranche(pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    services.report_accept(report_id=report.pk, actor=pilot.officer, comment="Netjes.")
    report.refresh_from_db()
    milestone = Milestone.objects.get(pk=report.milestone_id)
    assert report.state == "accepted" and report.decided_by == pilot.officer
    # 20% of the EUR 20,000 award per milestone (the scheme's setting).
    assert milestone.tranche_amount == Decimal("4000.00") and milestone.tranche_released_on is not None
    assert Outbox.objects.filter(event="pilot_report_decided", recipient=pilot.grantee,
                                 context__outcome="accepted").exists()


def test_manager_cannot_accept_a_report(pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    with pytest.raises(TransitionRefused):
        services.report_accept(report_id=report.pk, actor=pilot.manager)
    report.refresh_from_db()
    assert report.state == "submitted"


def test_returned_report_is_amended_and_submitted_again(pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    with pytest.raises(TransitionRefused):
        services.report_return(report_id=report.pk, actor=pilot.officer, comment=" ")
    services.report_return(report_id=report.pk, actor=pilot.officer, comment="Voeg foto's toe.")
    report.refresh_from_db()
    assert report.state == "returned" and report.officer_comment == "Voeg foto's toe."
    fill(report, pilot.grantee, narrative="Aangevuld met foto's.")
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    report.refresh_from_db()
    assert report.state == "submitted" and report.narrative == "Aangevuld met foto's."


def test_an_accepted_report_cannot_be_changed_or_decided_again(pilot):
    report = factories.accepted_report(pilot, kind="progress")
    with pytest.raises(TransitionRefused):
        fill(report, pilot.grantee)
    with pytest.raises(TransitionRefused):
        services.report_return(report_id=report.pk, actor=pilot.officer, comment="Toch niet.")


def test_accepting_the_final_report_calls_the_determination_integration_point(pilot):
    final = pilot.reports.get(kind="final")
    fill(final, pilot.grantee, realised={"co2_avoided": Decimal("9000"), "waste_avoided": Decimal("4000")})
    services.report_submit(report_id=final.pk, actor=pilot.grantee)
    with mock.patch("workflows.services.pilots.pilot_final_report_accepted") as hook:
        services.report_accept(report_id=final.pk, actor=pilot.officer)
    hook.assert_called_once()
    assert hook.call_args.args[0].pk == pilot.application_id


def test_change_request_to_extend_moves_the_final_report_and_determination_deadline(pilot):
    application = pilot.application
    new_end = application.ends_on + datetime.timedelta(days=91)
    change = services.change_request_submit(application_id=application.pk, actor=pilot.grantee,
                                            kind="extend_period", description="Levering vertraagd.",
                                            new_end_on=new_end)
    assert Outbox.objects.filter(event="change_request_submitted", recipient=pilot.officer).exists()
    services.change_request_approve(change_request_id=change.pk, actor=pilot.officer, comment="Akkoord.")
    change.refresh_from_db()
    application.refresh_from_db()
    pilot.refresh_from_db()
    assert change.state == "approved" and change.decided_by == pilot.officer
    assert application.ends_on == new_end
    assert pilot.reports.get(kind="final").due_on >= new_end + datetime.timedelta(weeks=8)
    assert pilot.determination_request_due_on >= new_end + datetime.timedelta(weeks=13)


def test_change_request_rejection_needs_a_reason_and_leaves_the_award(pilot):
    end = pilot.application.ends_on
    change = services.change_request_submit(application_id=pilot.application_id, actor=pilot.grantee,
                                            kind="change_budget", description="Meer voor materiaal.")
    with pytest.raises(TransitionRefused):
        services.change_request_reject(change_request_id=change.pk, actor=pilot.officer, comment="")
    services.change_request_reject(change_request_id=change.pk, actor=pilot.officer, comment="Past niet.")
    change.refresh_from_db()
    pilot.application.refresh_from_db()
    assert change.state == "rejected" and pilot.application.ends_on == end
    assert Outbox.objects.filter(event="change_request_decided", context__outcome="rejected").exists()


def test_extension_must_end_later_and_outsiders_cannot_request(pilot):
    with pytest.raises(TransitionRefused):
        services.change_request_submit(application_id=pilot.application_id, actor=pilot.grantee,
                                       kind="extend_period", description="x", new_end_on=pilot.application.ends_on)
    with pytest.raises(TransitionRefused):
        services.change_request_submit(application_id=pilot.application_id, actor=factories.ApplicantFactory(),
                                       kind="change_activities", description="x")
    assert not ChangeRequest.objects.exists()


def test_officer_adjusts_the_plan(pilot):
    report = first_progress(pilot)
    new_due = report.due_on + datetime.timedelta(days=30)
    services.reporting_plan_adjust(plan_id=pilot.pk, actor=pilot.officer,
                                   determination_request_due_on=datetime.date(2028, 1, 31),
                                   report_due_dates={report.pk: new_due})
    report.refresh_from_db()
    pilot.refresh_from_db()
    assert report.due_on == new_due and Milestone.objects.get(pk=report.milestone_id).due_on == new_due
    assert pilot.determination_request_due_on == datetime.date(2028, 1, 31)
    with pytest.raises(TransitionRefused):
        services.reporting_plan_adjust(plan_id=pilot.pk, actor=pilot.grantee, determination_request_due_on=new_due,
                                       report_due_dates={})


def test_report_reminders_14_days_ahead_and_overdue_are_sent_once(pilot):
    report = first_progress(pilot)
    with time_machine.travel(report.due_on - datetime.timedelta(days=14)):
        assert services.pilot_report_reminders() == 1
        assert services.pilot_report_reminders() == 0
    with time_machine.travel(report.due_on + datetime.timedelta(days=1)):
        assert services.pilot_report_reminders() == 1
        assert services.pilot_report_reminders() == 0
    keys = set(Outbox.objects.filter(event="pilot_report_due").values_list("dedupe_key", flat=True))
    due = report.due_on.isoformat()
    assert keys == {f"report-due:{report.pk}:14d:{due}:{pilot.grantee.pk}",
                    f"report-due:{report.pk}:overdue:{due}:{pilot.grantee.pk}"}


def test_reports_due_selector_leaves_out_submitted_reports(pilot):
    from grants.selectors import reports_due

    report = first_progress(pilot)
    assert report in list(reports_due(on=report.due_on, days=0))
    factories.set_report_state(report, "submitted")
    assert report not in list(reports_due(on=report.due_on, days=0))


def test_report_page_saves_a_draft_with_a_photo_and_submits(client, pilot):
    report = first_progress(pilot)
    client.force_login(pilot.grantee)
    url = reverse("pilot_report_edit", args=[pilot.application_id, report.pk])
    data = {"narrative": "Gedaan.", "rung_achieved": "R4", "lessons_learned": "Begin klein.",
            "costs_spent": "1500.00", "realised_co2_avoided": "800", "realised_waste_avoided": "",
            "file": SimpleUploadedFile("foto.pdf", factories.PDF_BYTES)}
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.state == "due" and report.attachments.count() == 1
    assert report.indicators.get(indicator="co2_avoided").realised == Decimal("800")
    client.post(url, {**data, "file": "", "submit": "1"})
    report.refresh_from_db()
    assert report.state == "submitted"


def test_report_page_refuses_a_disguised_file_at_the_field(client, pilot):
    report = first_progress(pilot)
    client.force_login(pilot.grantee)
    response = client.post(reverse("pilot_report_edit", args=[pilot.application_id, report.pk]), {
        "narrative": "Gedaan.", "file": SimpleUploadedFile("foto.pdf", b"MZ not a pdf")})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert "Gedaan." in response.content.decode()
    assert not report.attachments.exists()


def test_officer_returns_a_report_through_the_page(client, pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    client.force_login(pilot.officer)
    url = reverse("case_pilot_report_decide", args=[pilot.application_id, report.pk])
    response = client.post(url, {f"report-{report.pk}-decision": "return"})
    assert response.status_code == 400  # the comment is required when returning
    client.post(url, {f"report-{report.pk}-decision": "return", f"report-{report.pk}-comment": "Meer cijfers."})
    report.refresh_from_db()
    assert report.state == "returned"
    assert client.get(reverse("case_pilot", args=[pilot.application_id])).status_code == 200


def test_demo_region_has_running_and_finished_pilots_and_showcase_content():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())

    plans = {plan.application.title: plan for plan in ReportingPlan.objects.select_related("application")}
    running, finished = plans["Statiegeldkratten voor de Goudse horeca"], plans["Repair café voor kleine apparaten"]
    assert running.reports.filter(kind="progress", state="submitted").exists()
    assert running.application.change_requests.filter(state="submitted").exists()
    assert finished.reports.get(kind="final").state == "accepted"
    assert finished.milestones.exclude(tranche_released_on=None).exists()
    assert running.showcase_consent and finished.showcase_consent and finished.featured


@pytest.mark.parametrize("event, context", [
    ("pilot_report_submitted", {}),
    ("pilot_report_decided", {"outcome": "returned", "comment": "Meer cijfers."}),
    ("pilot_report_due", {"reminder": "overdue"}),
    ("change_request_submitted", {}),
    ("change_request_decided", {"outcome": "approved", "comment": ""}),
])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_pilot_notifications_render_in_both_languages(event, context, language):
    from notifications.services import render_message

    row = Outbox(event=event, language=language, url="/mijn/", context={
        "reference": "GOU-2026-00007", "title": "Statiegeldkratten", "scheme_nl": "Pilot", "scheme_en": "Pilot",
        "organisation": "Gemeente Gouda", "kind_nl": "voortgangsrapportage", "kind_en": "progress report",
        "due_on": "2026-12-24", **context})
    subject, text, html = render_message(row)
    assert "GOU-2026-00007" in subject and "GOU-2026-00007" in text and "<p>" in html
    if event == "pilot_report_due":
        assert ("24 december 2026" if language == "nl" else "24 December 2026") in text


def test_the_beat_task_sends_the_reminders(pilot):
    from grants.tasks import pilot_report_reminders

    report = first_progress(pilot)
    with time_machine.travel(report.due_on - datetime.timedelta(days=14)):
        assert pilot_report_reminders() == 1


def test_officers_pilot_page_costs_the_same_queries_for_few_and_many_reports(client, org_x):
    officer = factories.make_staff(org_x, StaffRole.OFFICER)
    client.force_login(officer)

    def count(months):
        scheme = factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT, max_amount=Decimal("50000"),
                                         progress_report_months=months)
        plan = factories.awarded_pilot(scheme=scheme)
        services.change_request_submit(application_id=plan.application_id, actor=factories.make_member(
            plan.application.company), kind="change_activities", description="Anders.")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("case_pilot", args=[plan.application_id])).status_code == 200
        return plan.reports.count(), len(captured.captured_queries)

    (few_reports, few), (many_reports, many) = count(6), count(1)
    assert few_reports < many_reports and few == many


def test_administrator_sets_the_reporting_plan_defaults_of_a_pilot_scheme(client, org_x):
    from tests.test_scheme_management import scheme_data

    client.force_login(factories.make_staff(org_x, StaffRole.ADMINISTRATOR))
    data = scheme_data(org_x, kind="pilot", code="pilot-a", progress_report_months="6",
                       milestone_tranche_percentage="30", final_report_weeks="")
    assert client.post(reverse("manage_scheme_create"), data).status_code == 302
    scheme = org_x.schemes.get(code="pilot-a")
    # An empty field keeps the default (a final report 8 weeks after the end).
    assert (scheme.progress_report_months, scheme.milestone_tranche_percentage, scheme.final_report_weeks) == (
        6, 30, 8)
    data = scheme_data(org_x, kind="pilot", code="pilot-b", milestone_tranche_percentage="101")
    response = client.post(reverse("manage_scheme_create"), data)
    assert response.status_code == 200 and response.context["form"].errors["milestone_tranche_percentage"]


def test_a_submitted_report_cannot_be_changed_through_the_page(client, pilot):
    report = first_progress(pilot)
    fill(report, pilot.grantee)
    services.report_submit(report_id=report.pk, actor=pilot.grantee)
    client.force_login(pilot.grantee)
    url = reverse("pilot_report_edit", args=[pilot.application_id, report.pk])
    response = client.post(url, {"narrative": "Overschreven."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "Eerste partij hout hergebruikt." and report.state == "submitted"
    assert "Eerste partij hout hergebruikt." in client.get(url).content.decode()


def test_grantees_pilot_page_costs_the_same_queries_for_few_and_many_reports(client, org_x):
    grantee = factories.ApplicantFactory()
    client.force_login(grantee)

    def count(months):
        scheme = factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT, max_amount=Decimal("50000"),
                                         progress_report_months=months)
        plan = factories.awarded_pilot(scheme=scheme, company=grantee.test_company, created_by=grantee)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("pilot_detail", args=[plan.application_id])).status_code == 200
        return plan.reports.count(), len(captured.captured_queries)

    (few_reports, few), (many_reports, many) = count(6), count(1)
    assert few_reports < many_reports and few == many
