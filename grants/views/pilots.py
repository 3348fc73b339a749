"""Pilot grants after the award: the grantee's pilot page, reports and change requests, and the
officer's pilot page with the plan, report decisions, change decisions and featuring."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workflows import access, services
from workflows.access import Rule, require
from workflows.exceptions import TransitionRefused
from workflows.http import perform

from ..forms import (
    ChangeDecisionForm,
    ChangeRequestForm,
    FeatureForm,
    PlanAdjustForm,
    ReportDecisionForm,
    ReportForm,
    ShowcaseConsentForm,
)
from ..models import Report, ReportAttachment
from .files import _download


def _plans(queryset):
    """The plan with everything its page shows, in a fixed number of queries."""
    return queryset.select_related("application__scheme__organisation", "application__company").prefetch_related(
        Prefetch("reports", queryset=Report.objects.select_related("milestone").prefetch_related(
            "indicators", "attachments")),
        "application__change_requests")


def _own_plan(request, application_id):
    return get_object_or_404(_plans(access.own_pilots(request.user)), application_id=application_id)


def _staff_plan(request, application_id):
    return get_object_or_404(_plans(access.staff_pilots(request.user)), application_id=application_id)


# --- the grantee ---------------------------------------------------------------------------------


def _pilot_page(request, plan, status=200, **forms):
    return render(request, "grants/pilot_detail.html", {
        "plan": plan, "application": plan.application, "reports": list(plan.reports.all()),
        "change_requests": list(plan.application.change_requests.all()),
        "change_form": forms.get("change_form") or ChangeRequestForm(),
        "consent_form": forms.get("consent_form") or ShowcaseConsentForm(
            initial={"consent": plan.showcase_consent, "summary": plan.showcase_summary}),
    }, status=status)


@require(Rule.APPLICANT)
@require_GET
def pilot_detail(request, application_id):
    return _pilot_page(request, _own_plan(request, application_id))


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def pilot_report_edit(request, application_id, report_id):
    """Draft a due or returned report (save, add a file); "submit" saves and then submits it."""
    plan = _own_plan(request, application_id)
    report = get_object_or_404(plan.reports.all(), pk=report_id)
    indicators = list(report.indicators.all())
    form = ReportForm(request.POST or None, request.FILES or None, instance=report, indicators=indicators)
    if request.method == "POST" and not report.editable:
        messages.error(request, _("This report can no longer be changed."))
        return redirect("pilot_report_edit", application_id=application_id, report_id=report.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_save(report_id=report.pk, actor=request.user, narrative=data["narrative"],
                                 rung_achieved=data["rung_achieved"], lessons_learned=data["lessons_learned"],
                                 costs_spent=data["costs_spent"], realised=form.realised)
            if data.get("file"):
                services.report_attachment_add(report_id=report.pk, actor=request.user, uploaded_file=data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        except TransitionRefused as refusal:
            messages.error(request, refusal.message)
        else:
            if "submit" in request.POST:
                done = perform(request, services.report_submit, report_id=report.pk,
                               success=_("Your report has been submitted to the municipality."))
                if done:
                    return redirect("pilot_detail", application_id=application_id)
            else:
                messages.success(request, _("Your report has been saved."))
            return redirect("pilot_report_edit", application_id=application_id, report_id=report.pk)
    return render(request, "grants/pilot_report_form.html", {
        "plan": plan, "application": plan.application, "report": report, "form": form,
        "timeline": services.timeline(report, internal=False),
    }, status=400 if request.method == "POST" else 200)


@require(Rule.APPLICANT)
@require_POST
def pilot_report_submit(request, application_id, report_id):
    plan = _own_plan(request, application_id)
    report = get_object_or_404(plan.reports.all(), pk=report_id)
    perform(request, services.report_submit, report_id=report.pk,
            success=_("Your report has been submitted to the municipality."))
    return redirect("pilot_detail", application_id=application_id)


@require(Rule.APPLICANT)
def pilot_report_file(request, application_id, attachment_id):
    plan = _own_plan(request, application_id)
    return _download(request, get_object_or_404(ReportAttachment.objects.filter(report__plan=plan),
                                                pk=attachment_id), case=plan.application_id)


@require(Rule.APPLICANT)
@require_POST
def pilot_change_request(request, application_id):
    plan = _own_plan(request, application_id)
    form = ChangeRequestForm(request.POST)
    if not form.is_valid():
        return _pilot_page(request, plan, status=400, change_form=form)
    try:
        services.change_request_submit(application_id=plan.application_id, actor=request.user,
                                       **form.cleaned_data)
    except TransitionRefused as refusal:
        form.add_error(None, refusal.message)
        return _pilot_page(request, plan, status=400, change_form=form)
    messages.success(request, _("Your change request has been sent to the municipality."))
    return redirect("pilot_detail", application_id=application_id)


@require(Rule.APPLICANT)
@require_POST
def pilot_showcase_consent(request, application_id):
    plan = _own_plan(request, application_id)
    form = ShowcaseConsentForm(request.POST)
    if not form.is_valid():
        return _pilot_page(request, plan, status=400, consent_form=form)
    perform(request, services.showcase_set_consent, plan_id=plan.pk, consent=form.cleaned_data["consent"],
            summary=form.cleaned_data["summary"], success=_("Your showcase choice has been saved."))
    return redirect("pilot_detail", application_id=application_id)


# --- the officer ---------------------------------------------------------------------------------


def _case_pilot_page(request, plan, status=200, invalid=None, **forms):
    """The officer's pilot page; ``invalid`` is a decision form that did not validate, shown at its report
    or change request with its errors (each has a prefix of its own, so its fields' ids are unique)."""
    reports = list(plan.reports.all())
    changes = list(plan.application.change_requests.all())
    for report in reports:
        report.decision_form = ReportDecisionForm(prefix=f"report-{report.pk}")
    for change in changes:
        change.decision_form = ChangeDecisionForm(prefix=f"change-{change.pk}")
    if invalid is not None:
        for item in reports + changes:
            if invalid.prefix == item.decision_form.prefix:
                item.decision_form = invalid
    return render(request, "grants/pilot_case.html", {
        "plan": plan, "application": plan.application, "reports": reports, "change_requests": changes,
        "plan_form": forms.get("plan_form") or PlanAdjustForm(plan=plan),
        "handles": access.handles_grant(plan, request.user),
        "may_feature": access.may_feature_pilots(request.user, plan.application.scheme.organisation_id),
    }, status=status)


@require(Rule.STAFF)
def case_pilot(request, application_id):
    return _case_pilot_page(request, _staff_plan(request, application_id))


@require(Rule.STAFF)
@require_POST
def case_pilot_plan(request, application_id):
    plan = _staff_plan(request, application_id)
    form = PlanAdjustForm(request.POST, plan=plan)
    if not form.is_valid():
        return _case_pilot_page(request, plan, status=400, plan_form=form)
    perform(request, services.reporting_plan_adjust, plan_id=plan.pk,
            determination_request_due_on=form.cleaned_data["determination_request_due_on"],
            report_due_dates=form.report_due_dates, success=_("The reporting plan has been adjusted."))
    return redirect("case_pilot", application_id=application_id)


@require(Rule.STAFF)
@require_POST
def case_pilot_report_decide(request, application_id, report_id):
    plan = _staff_plan(request, application_id)
    report = get_object_or_404(plan.reports.all(), pk=report_id)
    form = ReportDecisionForm(request.POST, prefix=f"report-{report.pk}")
    if not form.is_valid():
        return _case_pilot_page(request, plan, status=400, invalid=form)
    data = form.cleaned_data
    if data["decision"] == "accept":
        perform(request, services.report_accept, report_id=report.pk, comment=data["comment"],
                success=_("The report has been accepted."))
    else:
        perform(request, services.report_return, report_id=report.pk, comment=data["comment"],
                success=_("The report has been returned to the grantee."))
    return redirect("case_pilot", application_id=application_id)


@require(Rule.STAFF)
def case_pilot_report_file(request, application_id, attachment_id):
    plan = _staff_plan(request, application_id)
    return _download(request, get_object_or_404(ReportAttachment.objects.filter(report__plan=plan),
                                                pk=attachment_id), case=plan.application_id)


@require(Rule.STAFF)
@require_POST
def case_change_request_decide(request, application_id, change_id):
    plan = _staff_plan(request, application_id)
    change = get_object_or_404(plan.application.change_requests.all(), pk=change_id)
    form = ChangeDecisionForm(request.POST, prefix=f"change-{change.pk}")
    if not form.is_valid():
        return _case_pilot_page(request, plan, status=400, invalid=form)
    if form.cleaned_data["decision"] == "approve":
        perform(request, services.change_request_approve, change_request_id=change.pk,
                comment=form.cleaned_data["comment"], success=_("The change request has been approved."))
    else:
        perform(request, services.change_request_reject, change_request_id=change.pk,
                comment=form.cleaned_data["comment"], success=_("The change request has been rejected."))
    return redirect("case_pilot", application_id=application_id)


@require(Rule.STAFF)
@require_POST
def case_pilot_feature(request, application_id):
    plan = _staff_plan(request, application_id)
    form = FeatureForm(request.POST)
    featured = form.is_valid() and form.cleaned_data["featured"]  # a checkbox: absent means "not featured"
    perform(request, services.pilot_feature, plan_id=plan.pk, featured=featured,
            success=_("The pilot is featured in the showcase.") if featured else
            _("The pilot is no longer featured."))
    return redirect("case_pilot", application_id=application_id)
