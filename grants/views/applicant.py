from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.services import companies_of
from workflows import access, services
from workflows.access import Rule, require
from workflows.http import perform

from .. import wizard
from ..eligibility import application_problems
from ..forms import ApplicationCreateForm, SupplyInfoForm
from ..models import ApplicationState, Scheme
from ..selectors import first_come_place


def _own_application(request, application_id, *, parts=False):
    queryset = access.own_applications(request.user)
    queryset = wizard.with_parts(queryset) if parts else queryset.select_related(
        "scheme", "scheme__organisation", "company")
    return get_object_or_404(queryset, pk=application_id)


def _refuse_unless_draft(request, application):
    """A submitted application is no longer the applicant's to change: back to its page, with why."""
    if application.state == ApplicationState.DRAFT:
        return None
    messages.error(request, _("This application has been submitted and can no longer be changed."))
    return redirect("application_detail", application_id=application.pk)


def _after_save(request, application, step):
    """"Save and continue" goes to the next step (the review after the last); "Save" stays."""
    if "continue" not in request.POST:
        return redirect("application_step", application_id=application.pk, step=step.slug)
    following = wizard.next_step(application, step)
    if following is None:
        return redirect("application_review", application_id=application.pk)
    return redirect("application_step", application_id=application.pk, step=following.slug)


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def application_create(request, scheme_id):
    scheme = get_object_or_404(Scheme.objects.select_related("organisation"), pk=scheme_id)
    if not scheme.is_open():
        messages.error(request, _("This scheme is not open for applications."))
        return redirect("scheme_detail", scheme_id=scheme.pk)
    form = ApplicationCreateForm(request.POST or None, scheme=scheme, companies=companies_of(request.user))
    if request.method == "POST" and form.is_valid():
        application = form.save(commit=False)
        application.scheme = scheme
        application.created_by = request.user
        application.save()
        messages.success(request, _("Your draft has been saved. You can leave and continue at any time."))
        return _after_save(request, application, wizard.BY_SLUG["project"])
    return render(request, "grants/application_form.html", {
        "form": form, "scheme": scheme, "steps": wizard.steps_for_scheme(scheme),
    })


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def application_step(request, application_id, step):
    application = _own_application(request, application_id, parts=True)
    refused = _refuse_unless_draft(request, application)
    if refused:
        return refused
    current = wizard.BY_SLUG.get(step)
    if current is None:
        raise Http404
    if not current.applies(application.scheme):
        # Partners only for chain schemes, questions only when the scheme has them: skip ahead.
        following = wizard.next_step(application, current)
        return redirect("application_step", application_id=application.pk, step=following.slug)
    post = request.method == "POST"
    page = wizard.page_for(current, application, data=request.POST if post else None,
                           files=request.FILES if post else None, user=request.user)
    if post and page.process():
        if page.saves:
            messages.success(request, _("Your answers on this step have been saved."))
        return _after_save(request, application, current)
    problems = application_problems(application)
    navigation = wizard.navigation(application, problems, current)
    return render(request, "grants/application_step.html", {
        "application": application,
        "step": current,
        "page": page,
        "template": f"grants/application_step_{current.slug}.html",
        "navigation": navigation,
        "step_number": next(item["number"] for item in navigation if item["current"]),
        "step_count": len(navigation),
        "step_problems": [problem for problem in problems if problem.step == current.slug],
        **page.context(),
    })


@require(Rule.APPLICANT)
def application_review(request, application_id):
    application = _own_application(request, application_id, parts=True)
    refused = _refuse_unless_draft(request, application)
    if refused:
        return refused
    problems = application_problems(application)
    return render(request, "grants/application_review.html", {
        "application": application,
        "problems": problems,
        "navigation": wizard.navigation(application, problems),
        **wizard.summary_context(application, problems),
    })


def _detail_context(request, application, **extra):
    context = {
        "application": application,
        "timeline": services.timeline(application, internal=False),
        "supply_form": SupplyInfoForm(),
        "actions": services.allowed_transitions(application, request.user),
        "place": first_come_place(application),
        "objection_window": services.objection_window(application),
        **wizard.summary_context(application),
    }
    if application.state == ApplicationState.DRAFT:
        problems = application_problems(application)
        context["problems"] = problems
        context["continue_step"] = wizard.first_open_step(application, problems)
    return context | extra


@require(Rule.APPLICANT)
def application_detail(request, application_id):
    application = _own_application(request, application_id, parts=True)
    return render(request, "grants/application_detail.html", _detail_context(request, application))


@require(Rule.APPLICANT)
@require_POST
def application_submit(request, application_id):
    application = _own_application(request, application_id)
    submitted = perform(request, services.application_submit, application_id=application.pk,
                        success=_("Your application has been submitted. You will receive a confirmation."))
    if submitted is None and application.state == ApplicationState.DRAFT:
        return redirect("application_review", application_id=application.pk)
    return redirect("application_detail", application_id=application.pk)


@require(Rule.APPLICANT)
@require_POST
def application_withdraw(request, application_id):
    application = _own_application(request, application_id)
    perform(request, services.application_withdraw, application_id=application.pk,
            success=_("Your application has been withdrawn."))
    return redirect("application_detail", application_id=application.pk)


@require(Rule.APPLICANT)
@require_POST
def application_supply_info(request, application_id):
    application = _own_application(request, application_id, parts=True)
    form = SupplyInfoForm(request.POST)
    if not form.is_valid():
        return render(request, "grants/application_detail.html",
                      _detail_context(request, application, supply_form=form), status=400)
    perform(request, services.application_supply_info, application_id=application.pk,
            comment=form.cleaned_data["comment"], success=_("Thank you: your answer has been sent."))
    return redirect("application_detail", application_id=application.pk)
