from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.services import companies_of
from workflows import access, services
from workflows.access import Rule, require
from workflows.http import perform

from ..forms import ApplicationForm, SupplyInfoForm
from ..models import Application, ApplicationState, Scheme


def _own_application(request, application_id):
    queryset = Application.objects.filter(company_id__in=access.company_ids(request.user)).select_related(
        "scheme", "scheme__organisation", "company"
    )
    return get_object_or_404(queryset, pk=application_id)


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def application_create(request, scheme_id):
    scheme = get_object_or_404(Scheme.objects.select_related("organisation"), pk=scheme_id)
    if not scheme.is_open():
        messages.error(request, _("This scheme is not open for applications."))
        return redirect("scheme_detail", scheme_id=scheme.pk)
    form = ApplicationForm(request.POST or None, scheme=scheme, companies=companies_of(request.user))
    if request.method == "POST" and form.is_valid():
        application = form.save(commit=False)
        application.scheme = scheme
        application.created_by = request.user
        application.save()
        messages.success(request, _("Your draft has been saved. Check it and submit it when ready."))
        return redirect("application_detail", application_id=application.pk)
    return render(request, "grants/application_form.html", {"form": form, "scheme": scheme})


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def application_edit(request, application_id):
    application = _own_application(request, application_id)
    if application.state != ApplicationState.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("application_detail", application_id=application.pk)
    form = ApplicationForm(request.POST or None, instance=application, scheme=application.scheme,
                           companies=companies_of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your draft has been saved."))
        return redirect("application_detail", application_id=application.pk)
    return render(request, "grants/application_form.html",
                  {"form": form, "scheme": application.scheme, "application": application})


@require(Rule.APPLICANT)
def application_detail(request, application_id):
    application = _own_application(request, application_id)
    return render(request, "grants/application_detail.html", {
        "application": application,
        "timeline": services.timeline(application, internal=False),
        "supply_form": SupplyInfoForm(),
        "actions": services.allowed_transitions(application, request.user),
    })


@require(Rule.APPLICANT)
@require_POST
def application_submit(request, application_id):
    application = _own_application(request, application_id)
    perform(request, services.application_submit, application_id=application.pk,
            success=_("Your application has been submitted. You will receive a confirmation."))
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
    application = _own_application(request, application_id)
    form = SupplyInfoForm(request.POST)
    if not form.is_valid():
        return render(request, "grants/application_detail.html", {
            "application": application, "timeline": services.timeline(application, internal=False), "supply_form": form,
            "actions": services.allowed_transitions(application, request.user),
        }, status=400)
    perform(request, services.application_supply_info, application_id=application.pk,
            comment=form.cleaned_data["comment"], success=_("Thank you: your answer has been sent."))
    return redirect("application_detail", application_id=application.pk)
