from contextlib import nullcontext

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_fsm import TransitionNotAllowed

from applicants.models import User
from workflows import access, audit, services
from workflows.access import Rule, require
from workflows.exceptions import TransitionRefused
from workflows.http import perform

from .. import wizard
from ..db import fetch_with_sql_written_once, has_rows, planned_for_their_values
from ..forms import BulkAssignForm, InfoRequestForm, NotConsideredForm, ProposalForm, QueueFilterForm, SendBackForm
from ..messaging import thread_of
from ..models import (
    Answer,
    Application,
    ApplicationState,
    AssessmentCriterion,
    DeMinimisAid,
    Objection,
    Partner,
    Scheme,
    SchemeQuestion,
)
from ..models.applications import OPEN_STATES
from ..selectors import case_queue_for, state_counts_for
from .assessment import assessment_context
from .letters import case_letters_context
from .messages import MessageForm


def _case(request, application_id):
    """The case with everything its page shows. The one-to-one parts (award, reporting plan, voucher with its
    provider, provider choice) are joined; the lists are fetched only when the case has any (an EXISTS in the
    case's own query says so), so a typical case page costs a fixed, small number of queries. The wide query's
    SQL is written once per process (grants.db.fetch_with_sql_written_once)."""
    queryset = access.staff_cases(request.user).select_related(
        "scheme__organisation", "scheme__budget", "company", "assigned_to", "proposed_by", "award",
        "reporting_plan", "voucher__provider", "provider_choice__provider",
    ).annotate(**{f"has_{name}": has_rows(model, field, Application, ref)
                  for name, (model, field, ref) in _OPTIONAL_PARTS.items()})
    found = fetch_with_sql_written_once(queryset.filter(pk=application_id), shape="case page")
    if not found:
        raise Http404
    application = found[0]
    wizard.prefetch_parts(application, optional={name: getattr(application, f"has_{name}")
                                                 for name in _OPTIONAL_PARTS})
    return application


# Parts many cases do not have: (model, its link to the case, what it refers to).
_OPTIONAL_PARTS = {
    "partners": (Partner, "application", "pk"),
    "de_minimis_aid": (DeMinimisAid, "application", "pk"),
    "answers": (Answer, "application", "pk"),
    "questions": (SchemeQuestion, "scheme", "scheme_id"),
    "criteria": (AssessmentCriterion, "scheme", "scheme_id"),
    "objections": (Objection, "application", "pk"),
}


@require(Rule.STAFF)
def case_list(request):
    schemes = Scheme.objects.filter(
        organisation_id__in=access.organisation_ids(request.user, *access.CASE_ROLES)
    ).only("pk", "title_nl", "title_en").order_by("title_nl")
    states = [(value, label) for value, label in ApplicationState.choices if value != ApplicationState.DRAFT]
    form = QueueFilterForm(request.GET or None, schemes=schemes, states=states)
    # A filter that does not validate is left out and its error shown at the field; the queue still shows.
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    search = (filters.get("q") or "").strip()
    queue = case_queue_for(
        request.user, state=filters.get("state") or None, scheme_id=filters.get("scheme"),
        assignee=filters.get("assignee") or None, due_within=filters.get("due_within"),
        overdue=bool(filters.get("overdue")), search=search,
    )
    counts = state_counts_for(request.user)
    paginator = Paginator(queue, 50)
    if not any(filters.get(name) for name in ("scheme", "assignee", "due_within", "overdue", "q")):
        # Only the state narrows this queue: its size is in the per-state counts already (one COUNT saved).
        paginator.count = sum(n for state, _label, n in counts if not filters.get("state") or state == filters["state"])
    with planned_for_their_values() if search else nullcontext():
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "grants/case_list.html", {
        "page": page, "state": filters.get("state") or "", "counts": counts,
        "filter_form": form, "query": query.urlencode(), "today": timezone.localdate(), "open_states": OPEN_STATES,
    })


def _case_page(request, application, status=200, **forms):
    context = {
        "application": application,
        "timeline": services.timeline(application),
        "info_form": forms.get("info_form") or InfoRequestForm(),
        "proposal_form": forms.get("proposal_form") or ProposalForm(initial={"amount": application.requested_amount}),
        "send_back_form": forms.get("send_back_form") or SendBackForm(),
        "not_considered_form": forms.get("not_considered_form") or NotConsideredForm(),
        "actions": services.allowed_transitions(application, request.user),
        # The message thread: one query, authors joined; thread_staff shows the staff side of the include.
        "thread": list(thread_of(application)),
        "thread_form": forms.get("thread_form") or MessageForm(),
        "thread_staff": True,
        **wizard.summary_context(application),
        **assessment_context(request, application, forms.get("score_form")),
        **case_letters_context(application, forms),
    }
    return render(request, "grants/case_detail.html", context, status=status)


@require(Rule.STAFF)
def case_detail(request, application_id):
    application = _case(request, application_id)
    audit.viewed(request, application, case=application)
    return _case_page(request, application)


def _case_action(request, application_id, service, *, success, form_class=None, form_key=None):
    """One staff step: validate the step's form (errors re-render the case page at the field, status
    400), run the transition service with the form's data, show the outcome as a message."""
    application = _case(request, application_id)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _case_page(request, application, status=400, **{form_key: form})
        data = form.cleaned_data
    perform(request, service, application_id=application.pk, success=success, **data)
    return redirect("case_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_start_review(request, application_id):
    return _case_action(request, application_id, services.application_start_review,
                        success=_("The case is now in review."))


@require(Rule.STAFF)
@require_POST
def case_request_info(request, application_id):
    return _case_action(request, application_id, services.application_request_info, form_class=InfoRequestForm,
                        form_key="info_form", success=_("The information request has been sent."))


@require(Rule.STAFF)
@require_POST
def case_propose(request, application_id):
    return _case_action(request, application_id, services.application_propose, form_class=ProposalForm,
                        form_key="proposal_form", success=_("The proposal has been sent for approval."))


@require(Rule.STAFF)
@require_POST
def case_propose_not_considered(request, application_id):
    return _case_action(request, application_id, services.application_propose_not_considered,
                        form_class=NotConsideredForm, form_key="not_considered_form",
                        success=_("The proposal has been sent for approval."))


@require(Rule.STAFF)
@require_POST
def case_send_back(request, application_id):
    return _case_action(request, application_id, services.application_send_back, form_class=SendBackForm,
                        form_key="send_back_form", success=_("The proposal has been sent back."))


@require(Rule.STAFF)
@require_POST
def case_approve(request, application_id):
    return _case_action(request, application_id, services.application_approve,
                        success=_("The decision has been approved."))


@require(Rule.OFFICER)
def case_bulk_assign(request):
    """The queue's "assign selected": the chosen open cases (of the officer's municipalities) to one officer."""
    source = request.POST if request.method == "POST" else request.GET
    ids = [int(value) for value in source.getlist("cases") if value.isdigit()][:200]
    cases = list(access.staff_cases(request.user).filter(pk__in=ids, state__in=OPEN_STATES)
                 .select_related("company", "scheme", "assigned_to").order_by("decision_due_on", "pk"))
    organisations = {case.organisation_id for case in cases} or access.organisation_ids(request.user, access.OFFICER)
    officers = User.objects.filter(
        is_active=True, staff_memberships__role=access.OFFICER, staff_memberships__organisation_id__in=organisations,
    ).distinct().order_by("full_name")
    form = BulkAssignForm(request.POST if request.method == "POST" else None, cases=cases, officers=officers,
                          initial={"cases": [case.pk for case in cases]})
    if request.method == "POST" and form.is_valid():
        assignee = form.cleaned_data["assignee"]
        assigned, refused = 0, []
        for case in cases:
            if case.pk not in form.cleaned_data["cases"]:
                continue
            try:
                services.application_assign(application_id=case.pk, actor=request.user, assignee=assignee)
                assigned += 1
            except (TransitionRefused, TransitionNotAllowed) as error:
                refused.append(f"{case.reference}: {error}")
        if assigned:
            messages.success(request, ngettext("%(n)d case assigned to %(name)s.", "%(n)d cases assigned to %(name)s.",
                                               assigned) % {"n": assigned, "name": assignee.full_name})
        for reason in refused:
            messages.error(request, reason)
        return redirect("case_list")
    if not cases:
        messages.error(request, _("Select one or more open cases in the list first."))
        return redirect("case_list")
    return render(request, "grants/case_bulk_assign.html", {"form": form, "cases": cases},
                  status=400 if form.errors else 200)
