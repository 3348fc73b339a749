"""Pilot grant use cases after the award: the reporting plan, reports (due -> submitted ->
accepted | returned -> submitted), change requests, showcase consent and featuring, and the
report reminders of the beat job. Transitions run through run_transition; plain edits (drafting a
report, adjusting the plan) check workflows.access and lock their row themselves.

Integration points for the payments/awards work (marked INTEGRATION below):
``pilot_final_report_accepted(application)`` and ``pilot_milestone_accepted(milestone)``."""

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from grants.attachments import max_total_bytes, megabytes, validate_upload
from grants.models import (
    INDICATOR_UNITS,
    ApplicationState,
    ChangeKind,
    ChangeRequest,
    Milestone,
    Report,
    ReportAttachment,
    ReportIndicator,
    ReportingPlan,
    ReportKind,
    ReportState,
    SchemeKind,
    StaffRole,
)
from notifications.models import Outbox
from notifications.services import notify
from workflows import access

from ..deadlines import term_end
from ..exceptions import TransitionRefused
from .awards import award_pay_tranche
from .core import run_transition

PILOT_KINDS = (SchemeKind.PILOT, SchemeKind.CHAIN)
REMINDER_DAYS = 14


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _officers(application):
    return User.objects.filter(
        staff_memberships__organisation_id=application.scheme.organisation_id,
        staff_memberships__role=StaffRole.OFFICER, is_active=True,
    ).distinct()


def _grantees(application):
    return User.objects.filter(company_memberships__company_id=application.company_id, is_active=True)


def _context(application, **extra):
    return {"reference": application.reference, "title": application.title,
            "scheme_nl": application.scheme.title_nl, "scheme_en": application.scheme.title_en,
            "organisation": application.scheme.organisation.name,
            "organisation_id": application.scheme.organisation_id,  # scopes the notification operations page
            **extra}


def _report_context(report, **extra):
    return _context(report.application, kind_nl=_label_nl(report), kind_en=_label_en(report),
                    due_on=report.due_on.isoformat(), **extra)


def _label_nl(report):
    return "eindrapportage" if report.kind == ReportKind.FINAL else "voortgangsrapportage"


def _label_en(report):
    return "final report" if report.kind == ReportKind.FINAL else "progress report"


def _applicant_url(application):
    return reverse("pilot_detail", args=[application.pk])


def _staff_url(application):
    return reverse("case_pilot", args=[application.pk])


# --- the reporting plan ------------------------------------------------------------------------


def reporting_plan_create(*, application):
    """Make the reporting plan of an awarded pilot or chain application from its scheme's defaults
    (called in application_approve's effects, inside its transaction). Does nothing for vouchers or
    outcomes other than an award, and returns the existing plan when there is one.

    Progress reports (one per milestone) every ``progress_report_months`` from the start date before
    the end date; the final report ``final_report_weeks`` after the end; the deadline to apply for the
    final determination ``determination_request_weeks`` after the end (Awb 4:95, DOMAIN rule 5). Each
    report carries the planned figures of the application, to be compared with what is realised."""
    scheme = application.scheme
    if scheme.kind not in PILOT_KINDS or application.state != ApplicationState.AWARDED:
        return None
    existing = ReportingPlan.objects.filter(application=application).first()
    if existing is not None:
        return existing
    decided = timezone.localdate(application.decided_at) if application.decided_at else timezone.localdate()
    starts = max(application.starts_on or decided, decided)
    ends = application.ends_on if application.ends_on and application.ends_on > starts else add_months(starts, 12)
    plan = ReportingPlan.objects.create(
        application=application,
        determination_request_due_on=term_end(ends, weeks=scheme.determination_request_weeks))
    planned = list(application.indicators.all())
    tranche = ((application.awarded_amount or 0) * scheme.milestone_tranche_percentage / 100)
    number, due = 1, add_months(starts, scheme.progress_report_months) if scheme.progress_report_months else None
    reports = []
    while due is not None and due < ends:
        milestone = Milestone.objects.create(plan=plan, title=_("Milestone %(number)s") % {"number": number},
                                             due_on=term_end(due), tranche_amount=round(tranche, 2))
        reports.append(Report(plan=plan, application=application, milestone=milestone, kind=ReportKind.PROGRESS,
                              due_on=milestone.due_on))
        number, due = number + 1, add_months(starts, scheme.progress_report_months * (number + 1))
    reports.append(Report(plan=plan, application=application, kind=ReportKind.FINAL,
                          due_on=term_end(ends, weeks=scheme.final_report_weeks)))
    Report.objects.bulk_create(reports)
    ReportIndicator.objects.bulk_create([
        ReportIndicator(report=report, indicator=item.indicator, unit=item.unit, planned=item.planned)
        for report in reports for item in planned
    ])
    return plan


def _locked_plan(plan_id, actor):
    plan = ReportingPlan.objects.select_for_update().select_related("application__scheme").get(pk=plan_id)
    if not access.handles_grant(plan, actor):
        raise TransitionRefused(_("You are not allowed to change this reporting plan."))
    return plan


def reporting_plan_adjust(*, plan_id, actor, determination_request_due_on, report_due_dates):
    """The officer moves the determination deadline and the due dates of reports not yet submitted
    (``report_due_dates``: {report id: date}); milestones move with their report."""
    with transaction.atomic():
        plan = _locked_plan(plan_id, actor)
        plan.determination_request_due_on = determination_request_due_on
        plan.save(update_fields=["determination_request_due_on"])
        for report in plan.reports.filter(pk__in=report_due_dates, state__in=[ReportState.DUE, ReportState.RETURNED]):
            report.due_on = report_due_dates[report.pk]
            report.save(update_fields=["due_on"])
            if report.milestone_id:
                Milestone.objects.filter(pk=report.milestone_id).update(due_on=report.due_on)
    return plan


# --- reports -----------------------------------------------------------------------------------


def _editable_report(report_id, actor):
    report = Report.objects.select_for_update().select_related("application").get(pk=report_id)
    if not access.acts_for_grantee(report, actor):
        raise TransitionRefused(_("You are not allowed to change this report."))
    if not report.editable:
        raise TransitionRefused(_("This report can no longer be changed."))
    return report


def report_save(*, report_id, actor, narrative, rung_achieved, lessons_learned, costs_spent, realised):
    """Save the grantee's draft of a due or returned report; ``realised`` maps indicator to value."""
    with transaction.atomic():
        report = _editable_report(report_id, actor)
        report.narrative, report.rung_achieved = narrative, rung_achieved
        report.lessons_learned, report.costs_spent = lessons_learned, costs_spent
        report.save(update_fields=["narrative", "rung_achieved", "lessons_learned", "costs_spent"])
        for indicator, value in realised.items():
            ReportIndicator.objects.update_or_create(
                report=report, indicator=indicator, unit=INDICATOR_UNITS[indicator], defaults={"realised": value})
    return report


def report_attachment_add(*, report_id, actor, uploaded_file):
    """Add a photo or document to a due or returned report (the application attachments' checks)."""
    content_type, safe_name = validate_upload(uploaded_file)
    with transaction.atomic():
        report = _editable_report(report_id, actor)
        total = sum(report.attachments.values_list("size", flat=True))
        if total + uploaded_file.size > max_total_bytes():
            raise ValidationError(_("The attachments of one report may together be at most %(size)s MB.")
                                  % {"size": megabytes(max_total_bytes())}, code="total_too_large")
        attachment = ReportAttachment(report=report, original_name=safe_name, content_type=content_type,
                                      size=uploaded_file.size, uploaded_by=actor)
        uploaded_file.seek(0)
        attachment.file.save(safe_name, uploaded_file, save=False)
        try:
            attachment.save()
        except BaseException:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def report_problems(report):
    """What a report still lacks before it may be submitted."""
    problems = []
    if not report.narrative.strip():
        problems.append(_("Describe what was done."))
    if report.kind == ReportKind.FINAL:
        if not report.rung_achieved:
            problems.append(_("Choose the R-ladder strategy achieved."))
        if report.costs_spent is None:
            problems.append(_("Fill in the costs spent."))
        if any(item.realised is None for item in report.indicators.all()):
            problems.append(_("Fill in the realised value of every planned result."))
    return problems


def report_submit(*, report_id, actor):
    """The grantee submits a due or returned report; refused while report_problems finds anything.
    The officers of the municipality are notified."""

    def effects(report):
        problems = report_problems(report)
        if problems:
            raise TransitionRefused(" ".join([_("The report cannot be submitted yet."), *problems]))
        notify(event="pilot_report_submitted", recipients=_officers(report.application),
               context=_report_context(report), url=_staff_url(report.application))

    return run_transition(model=Report, pk=report_id, name="submit", actor=actor,
                          params={"by": actor, "at": timezone.now()}, effects=effects)


def report_accept(*, report_id, actor, comment=""):
    """The officer accepts a submitted report. A milestone's report releases its payment tranche; the
    final report opens the final determination (both through the INTEGRATION hooks below)."""

    def effects(report):
        if report.milestone_id:
            pilot_milestone_accepted(report.milestone)
        if report.kind == ReportKind.FINAL:
            pilot_final_report_accepted(report.application)
        notify(event="pilot_report_decided", recipients=_grantees(report.application),
               context=_report_context(report, outcome="accepted", comment=comment),
               url=_applicant_url(report.application))

    return run_transition(model=Report, pk=report_id, name="accept", actor=actor, comment=comment,
                          params={"by": actor, "at": timezone.now(), "comment": comment}, effects=effects)


def report_return(*, report_id, actor, comment):
    """The officer returns a submitted report with comments; the grantee amends and submits again."""
    if not (comment or "").strip():
        raise TransitionRefused(_("Say what the grantee should change."))

    def effects(report):
        notify(event="pilot_report_decided", recipients=_grantees(report.application),
               context=_report_context(report, outcome="returned", comment=comment),
               url=_applicant_url(report.application))

    return run_transition(model=Report, pk=report_id, name="return_to_grantee", actor=actor, comment=comment,
                          params={"by": actor, "at": timezone.now(), "comment": comment}, effects=effects)


def pilot_milestone_accepted(milestone):
    """A milestone whose report was accepted releases its tranche when the scheme says so
    (``tranche_amount`` > 0): the release date is recorded and a payment instruction made
    (awards.award_pay_tranche), which an officer puts in a payment batch like any other."""
    if milestone.tranche_amount > 0 and milestone.tranche_released_on is None:
        milestone.tranche_released_on = timezone.localdate()
        milestone.save(update_fields=["tranche_released_on"])
        award_pay_tranche(milestone)


def pilot_final_report_accepted(application):
    """The final report of ``application`` was accepted (inside the accepting transaction): the award is
    ready for its final determination, which the officer sets on the award page (award_determine, with
    its letter), lower when activities or costs fell short (Awb 4:46). The officers are told."""
    award = getattr(application, "award", None)
    if award is not None:
        notify(event="final_report_accepted", recipients=_officers(application),
               context={"reference": application.reference, "title": application.title},
               url=reverse("award_detail", args=[award.pk]), organisation=application.scheme.organisation_id)
    return application


# --- change requests ----------------------------------------------------------------------------


def change_request_submit(*, application_id, actor, kind, description, new_end_on=None):
    """The grantee asks to extend the period or change activities or budget lines of a running pilot."""
    with transaction.atomic():
        plan = ReportingPlan.objects.select_related("application__scheme__organisation").get(
            application_id=application_id)
        application = plan.application
        if not access.acts_for_grantee(plan, actor):
            raise TransitionRefused(_("You are not allowed to request changes to this award."))
        if plan.reports.filter(kind=ReportKind.FINAL, state=ReportState.ACCEPTED).exists():
            raise TransitionRefused(_("The pilot has ended: its final report was accepted."))
        if kind == ChangeKind.EXTEND_PERIOD and (new_end_on is None or (
                application.ends_on and new_end_on <= application.ends_on)):
            raise TransitionRefused(_("Give a new end date after the current one."))
        change = ChangeRequest.objects.create(application=application, kind=kind, description=description,
                                              new_end_on=new_end_on if kind == ChangeKind.EXTEND_PERIOD else None,
                                              submitted_by=actor)
        notify(event="change_request_submitted", recipients=_officers(application),
               context=_context(application, change_nl=str(kind), change_en=str(kind)),
               url=_staff_url(application))
    return change


def change_request_approve(*, change_request_id, actor, comment=""):
    """Approve a change request. An extension moves the end date, the final report and the
    deadline to apply for the final determination by the scheme's terms from the new end date."""

    def effects(change):
        application = change.application
        if change.kind == ChangeKind.EXTEND_PERIOD and change.new_end_on:
            application.ends_on = change.new_end_on
            application.save(update_fields=["ends_on", "updated_at"])
            scheme = application.scheme
            plan = application.reporting_plan
            plan.determination_request_due_on = term_end(change.new_end_on, weeks=scheme.determination_request_weeks)
            plan.save(update_fields=["determination_request_due_on"])
            plan.reports.filter(kind=ReportKind.FINAL, state__in=[ReportState.DUE, ReportState.RETURNED]).update(
                due_on=term_end(change.new_end_on, weeks=scheme.final_report_weeks))
        _notify_change(change, "approved", comment)

    return run_transition(model=ChangeRequest, pk=change_request_id, name="approve", actor=actor, comment=comment,
                          params={"by": actor, "at": timezone.now(), "comment": comment}, effects=effects)


def change_request_reject(*, change_request_id, actor, comment):
    if not (comment or "").strip():
        raise TransitionRefused(_("Give the reason for rejecting the change."))
    return run_transition(model=ChangeRequest, pk=change_request_id, name="reject", actor=actor, comment=comment,
                          params={"by": actor, "at": timezone.now(), "comment": comment},
                          effects=lambda change: _notify_change(change, "rejected", comment))


def _notify_change(change, outcome, comment):
    notify(event="change_request_decided", recipients=_grantees(change.application),
           context=_context(change.application, outcome=outcome, comment=comment),
           url=_applicant_url(change.application))


# --- showcase -----------------------------------------------------------------------------------


def showcase_set_consent(*, plan_id, actor, consent, summary):
    """The company opts in to (or out of) the public showcase, with the summary it wants shown."""
    with transaction.atomic():
        plan = ReportingPlan.objects.select_for_update().select_related("application").get(pk=plan_id)
        if not access.acts_for_grantee(plan, actor):
            raise TransitionRefused(_("You are not allowed to change this pilot."))
        plan.showcase_consent, plan.showcase_summary = consent, summary
        plan.save(update_fields=["showcase_consent", "showcase_summary"])
    return plan


def pilot_feature(*, plan_id, actor, featured):
    """The municipality features a pilot in the showcase (only one the company opted in)."""
    with transaction.atomic():
        plan = ReportingPlan.objects.select_for_update().select_related("application__scheme").get(pk=plan_id)
        if not access.may_feature_pilots(actor, plan.application.scheme.organisation_id):
            raise TransitionRefused(_("You are not allowed to feature this pilot."))
        if featured and not plan.showcase_consent:
            raise TransitionRefused(_("The company has not agreed to show this pilot in the showcase."))
        plan.featured = featured
        plan.save(update_fields=["featured"])
    return plan


# --- reminders (beat) ---------------------------------------------------------------------------


def pilot_report_reminders(*, on=None):
    """Remind grantees of reports due in REMINDER_DAYS days and of overdue ones, once per report,
    kind and due date (dedupe_key "report-due:<id>:<kind>:<due date>", so a moved due date is
    reminded again). Returns the number of reports reminded."""
    from grants.selectors import reports_due

    on = on or timezone.localdate()
    candidates = {}
    for report in reports_due(on=on, days=REMINDER_DAYS):
        kind = "14d" if report.due_on == on + timedelta(days=REMINDER_DAYS) else "overdue" if report.due_on < on else ""
        if kind:
            candidates[f"report-due:{report.pk}:{kind}:{report.due_on.isoformat()}"] = (report, kind)
    if not candidates:
        return 0
    # notify() suffixes the key with the recipient; a key sent to anyone counts as sent.
    already = Q()
    for key in candidates:
        already |= Q(dedupe_key__startswith=f"{key}:")
    sent = {key.rsplit(":", 1)[0] for key in Outbox.objects.filter(already).values_list("dedupe_key", flat=True)}
    count = 0
    with transaction.atomic():
        for key, (report, kind) in candidates.items():
            if key in sent:
                continue
            notify(event="pilot_report_due", recipients=_grantees(report.application),
                   context=_report_context(report, reminder=kind), url=_applicant_url(report.application),
                   dedupe_key=key)
            count += 1
    return count
