from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grants.selectors import applications_of_companies
from workflows import access
from workflows.access import Rule, require

from . import services
from .forms import CompanyForm, LoginForm, OutboxPasswordResetForm, RegistrationForm
from .models import Company


@require(Rule.PUBLIC)
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("applicant_home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_register(
            full_name=form.cleaned_data["full_name"], email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"], language=form.cleaned_data["language"],
        )
        return render(request, "applicants/register_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "applicants/register.html", {"form": form})


@require(Rule.PUBLIC)
def verify_email(request, token):
    user = services.user_verify_email(token=token)
    if user is None:
        return render(request, "applicants/verify_failed.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your email address is confirmed. Welcome!"))
    return redirect("applicant_home")


login_view = require(Rule.PUBLIC)(
    auth_views.LoginView.as_view(template_name="applicants/login.html", authentication_form=LoginForm,
                                 redirect_authenticated_user=True)
)
logout_view = require(Rule.PUBLIC)(auth_views.LogoutView.as_view())
password_reset = require(Rule.PUBLIC)(
    auth_views.PasswordResetView.as_view(
        template_name="applicants/password_reset.html", form_class=OutboxPasswordResetForm,
        success_url=reverse_lazy("password_reset_done"),
    )
)
password_reset_done = require(Rule.PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="applicants/password_reset_done.html")
)
password_reset_confirm = require(Rule.PUBLIC)(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="applicants/password_reset_confirm.html", success_url=reverse_lazy("password_reset_complete")
    )
)
password_reset_complete = require(Rule.PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(template_name="applicants/password_reset_complete.html")
)


@require(Rule.AUTHENTICATED)
def applicant_home(request):
    if access.is_staff(request.user) and not access.is_applicant(request.user):
        return redirect("case_list")
    companies = list(services.companies_of(request.user))
    applications = applications_of_companies([c.pk for c in companies])
    return render(request, "applicants/home.html", {"companies": companies, "applications": applications})


@require(Rule.AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = services.company_create(form=form, user=request.user)
        access.forget(request.user)
        messages.success(request, _("The company %(name)s has been registered.") % {"name": company.name})
        return redirect("applicant_home")
    return render(request, "applicants/company_form.html", {"form": form, "creating": True})


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def company_edit(request, company_id):
    if company_id not in access.company_ids(request.user):
        raise Http404
    company = get_object_or_404(Company, pk=company_id)
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The company details have been saved."))
        return redirect("applicant_home")
    return render(request, "applicants/company_form.html", {"form": form, "company": company})
