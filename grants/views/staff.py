from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows import access, services
from workflows.access import Rule, require
from workflows.http import perform

from ..forms import InfoRequestForm, NotConsideredForm, ProposalForm, SendBackForm
from ..models import ApplicationState
from ..selectors import case_queue_for, state_counts_for


def _case(request, application_id):
    queryset = access.staff_cases(request.user).select_related(
        "scheme", "scheme__organisation", "scheme__budget", "company", "assigned_to", "proposed_by"
    )
    return get_object_or_404(queryset, pk=application_id)


@require(Rule.STAFF)
def case_list(request):
    state = request.GET.get("state", "")
    if state not in ApplicationState.values:
        state = ""
    page = Paginator(case_queue_for(request.user, state=state or None), 50).get_page(request.GET.get("page"))
    return render(request, "grants/case_list.html", {
        "page": page, "state": state, "counts": state_counts_for(request.user),
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
    }
    return render(request, "grants/case_detail.html", context, status=status)


@require(Rule.STAFF)
def case_detail(request, application_id):
    return _case_page(request, _case(request, application_id))


@require(Rule.STAFF)
@require_POST
def case_start_review(request, application_id):
    application = _case(request, application_id)
    perform(request, services.application_start_review, application_id=application.pk,
            success=_("The case is now in review."))
    return redirect("case_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_request_info(request, application_id):
    application = _case(request, application_id)
    form = InfoRequestForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, info_form=form)
    perform(request, services.application_request_info, application_id=application.pk,
            missing=form.cleaned_data["missing"], deadline=form.cleaned_data["deadline"],
            success=_("The information request has been sent."))
    return redirect("case_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_propose(request, application_id):
    application = _case(request, application_id)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, proposal_form=form)
    perform(request, services.application_propose, application_id=application.pk,
            outcome=form.cleaned_data["outcome"], amount=form.cleaned_data["amount"],
            motivation=form.cleaned_data["motivation"],
            success=_("The proposal has been sent for approval."))
    return redirect("case_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_propose_not_considered(request, application_id):
    application = _case(request, application_id)
    form = NotConsideredForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, not_considered_form=form)
    perform(request, services.application_propose_not_considered, application_id=application.pk,
            motivation=form.cleaned_data["motivation"], success=_("The proposal has been sent for approval."))
    return redirect("case_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_send_back(request, application_id):
    application = _case(request, application_id)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, send_back_form=form)
    perform(request, services.application_send_back, application_id=application.pk,
            comment=form.cleaned_data["comment"], success=_("The proposal has been sent back."))
    return redirect("case_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_approve(request, application_id):
    application = _case(request, application_id)
    perform(request, services.application_approve, application_id=application.pk,
            success=_("The decision has been approved."))
    return redirect("case_detail", application_id=application.pk)
