"""Objection pages: the applicant lodges and follows an objection; officers and managers of the
municipality handle it. Every step calls one service of workflows.services.objections."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from workflows import access, services
from workflows.access import Rule, require
from workflows.http import perform

from ..forms.objections import (
    ExcuseDelayForm,
    ExtendForm,
    GroundsRequestForm,
    HearingRecordForm,
    HearingScheduleForm,
    InadmissibleForm,
    ObjectionLodgeForm,
    ObjectionProposalForm,
    SupplyGroundsForm,
)
from ..forms.staff import SendBackForm
from ..models import ObjectionState
from ..models.objections import OPEN_OBJECTION_STATES

# What each step of the objection's log means to a reader (some steps keep the state).
STEPS = {
    "lodge": gettext_lazy("Objection lodged"),
    "request_grounds": gettext_lazy("Grounds requested"),
    "supply_grounds": gettext_lazy("Grounds supplied"),
    "schedule_hearing": gettext_lazy("Hearing scheduled"),
    "hear": gettext_lazy("Hearing recorded"),
    "excuse_delay": gettext_lazy("Delay found excusable"),
    "extend": gettext_lazy("Decision term extended"),
    "propose": gettext_lazy("Decision proposed"),
    "send_back": gettext_lazy("Proposal sent back"),
    "decide": gettext_lazy("Decided"),
    "declare_inadmissible": gettext_lazy("Declared inadmissible"),
}


def _history(objection, *, internal=True):
    entries = services.timeline(objection, internal=internal)
    for entry in entries:
        entry.step_label = STEPS.get(entry.transition, entry.target_state_label)
    return entries


# --- the applicant -------------------------------------------------------------------------------


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def objection_lodge(request, application_id):
    application = get_object_or_404(
        access.own_applications(request.user).select_related("scheme__organisation", "company"), pk=application_id)
    window = services.objection_window(application)
    if window is None:
        messages.error(request, _("There is no decision on this application to object to."))
        return redirect("application_detail", application_id=application.pk)
    if window["existing"] is not None:
        return redirect("my_objection", objection_id=window["existing"].pk)
    form = ObjectionLodgeForm(request.POST or None, late=window["late"])
    if request.method == "POST":
        if form.is_valid():
            objection = perform(request, services.objection_lodge, application_id=application.pk,
                                success=_("Your objection has been lodged. You will receive a confirmation."),
                                **form.cleaned_data)
            if objection is not None:
                return redirect("my_objection", objection_id=objection.pk)
            return redirect("application_detail", application_id=application.pk)
    status = 400 if form.errors else 200
    return render(request, "grants/objection_lodge.html",
                  {"application": application, "window": window, "form": form}, status=status)


def _own_objection(request, objection_id):
    queryset = access.own_objections(request.user).exclude(state=ObjectionState.NEW).select_related(
        "application__scheme__organisation", "application__company")
    return get_object_or_404(queryset, pk=objection_id)


def _applicant_page(request, objection, status=200, supply_form=None):
    return render(request, "grants/objection_applicant.html", {
        "objection": objection, "application": objection.application,
        "timeline": _history(objection, internal=False),
        "actions": services.allowed_transitions(objection, request.user),
        "supply_form": supply_form or SupplyGroundsForm(),
    }, status=status)


@require(Rule.APPLICANT)
def my_objection(request, objection_id):
    return _applicant_page(request, _own_objection(request, objection_id))


@require(Rule.APPLICANT)
@require_POST
def objection_supply_grounds(request, objection_id):
    objection = _own_objection(request, objection_id)
    form = SupplyGroundsForm(request.POST)
    if not form.is_valid():
        return _applicant_page(request, objection, status=400, supply_form=form)
    perform(request, services.objection_supply_grounds, objection_id=objection.pk,
            grounds=form.cleaned_data["grounds"], success=_("Thank you: the grounds of your objection have been sent."))
    return redirect("my_objection", objection_id=objection.pk)


# --- staff ---------------------------------------------------------------------------------------

FORMS = {
    "grounds_form": GroundsRequestForm,
    "hearing_form": HearingScheduleForm,
    "record_form": HearingRecordForm,
    "excuse_form": ExcuseDelayForm,
    "extend_form": ExtendForm,
    "inadmissible_form": InadmissibleForm,
    "proposal_form": ObjectionProposalForm,
    "send_back_form": SendBackForm,
}


@require(Rule.STAFF)
def objection_list(request):
    show_all = request.GET.get("all") == "1"
    queryset = access.staff_objections(request.user)
    if not show_all:
        queryset = queryset.filter(state__in=OPEN_OBJECTION_STATES)
    # One query for the page's rows with their application, company and scheme; one for the count.
    queryset = queryset.select_related("application__company", "application__scheme").order_by(
        "decision_due_on", "pk")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "grants/objection_list.html",
                  {"page": page, "show_all": show_all, "today": timezone.localdate()})


def _staff_objection(request, objection_id):
    queryset = access.staff_objections(request.user).select_related(
        "application__scheme__organisation", "application__company", "application__decided_by", "lodged_by",
        "decided_by", "proposed_by")
    return get_object_or_404(queryset, pk=objection_id)


def _staff_page(request, objection, status=200, **forms):
    context = {
        "objection": objection, "application": objection.application, "timeline": _history(objection),
        "actions": services.allowed_transitions(objection, request.user), "today": timezone.localdate(),
    }
    for key, form_class in FORMS.items():
        context[key] = forms.get(key) or form_class()
    return render(request, "grants/objection_detail.html", context, status=status)


@require(Rule.STAFF)
def objection_detail(request, objection_id):
    return _staff_page(request, _staff_objection(request, objection_id))


def _action(request, objection_id, service, form_key, *, success, data=None):
    """One staff step: the step's form (errors re-render the page at the field, status 400), then the
    service; a refusal becomes a message."""
    objection = _staff_objection(request, objection_id)
    arguments = {}
    if form_key is not None:
        form = FORMS[form_key](request.POST)
        if not form.is_valid():
            return _staff_page(request, objection, status=400, **{form_key: form})
        arguments = data(form.cleaned_data) if data else form.cleaned_data
    perform(request, service, objection_id=objection.pk, success=success, **arguments)
    return redirect("objection_detail", objection_id=objection.pk)


@require(Rule.STAFF)
@require_POST
def objection_request_grounds(request, objection_id):
    return _action(request, objection_id, services.objection_request_grounds, "grounds_form",
                   success=_("The objector has been asked to supply the grounds."))


@require(Rule.STAFF)
@require_POST
def objection_schedule_hearing(request, objection_id):
    return _action(request, objection_id, services.objection_schedule_hearing, "hearing_form",
                   data=lambda c: {"at": c["at"], "place": c["place"]},
                   success=_("The hearing has been scheduled and the objector invited."))


@require(Rule.STAFF)
@require_POST
def objection_hear(request, objection_id):
    return _action(request, objection_id, services.objection_hear, "record_form",
                   success=_("The hearing has been recorded."))


@require(Rule.STAFF)
@require_POST
def objection_excuse_delay(request, objection_id):
    return _action(request, objection_id, services.objection_excuse_delay, "excuse_form",
                   success=_("The delay has been recorded as excusable."))


@require(Rule.STAFF)
@require_POST
def objection_extend(request, objection_id):
    return _action(request, objection_id, services.objection_extend, "extend_form",
                   success=_("The decision term has been extended by six weeks."))


@require(Rule.STAFF)
@require_POST
def objection_declare_inadmissible(request, objection_id):
    return _action(request, objection_id, services.objection_declare_inadmissible, "inadmissible_form",
                   success=_("The objection has been declared inadmissible."))


@require(Rule.STAFF)
@require_POST
def objection_propose(request, objection_id):
    return _action(request, objection_id, services.objection_propose, "proposal_form",
                   success=_("The proposed decision has been sent for approval."))


@require(Rule.STAFF)
@require_POST
def objection_send_back(request, objection_id):
    return _action(request, objection_id, services.objection_send_back, "send_back_form",
                   success=_("The proposal has been sent back."))


@require(Rule.STAFF)
@require_POST
def objection_decide(request, objection_id):
    return _action(request, objection_id, services.objection_decide, None,
                   success=_("The objection has been decided."))
