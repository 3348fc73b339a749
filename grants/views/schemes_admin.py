"""Scheme configuration by the municipality's functional administrator: only their own municipalities'
schemes exist for them (access.administered_schemes: others are a 404)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workflows import access
from workflows.access import Rule, require

from ..forms_admin import AssessmentCriterionFormSet, SchemeForm, SchemeQuestionFormSet
from ..models import BudgetExceeded
from ..services import scheme_set_ceiling


def _scheme(request, scheme_id):
    return get_object_or_404(access.administered_schemes(request.user).select_related("budget"), pk=scheme_id)


@require(Rule.ADMINISTRATOR)
def manage_scheme_list(request):
    # Two queries: the schemes with their municipality and budget (one join), and nothing per row.
    schemes = access.administered_schemes(request.user).select_related("organisation", "budget")
    return render(request, "grants/manage/scheme_list.html", {"schemes": schemes})


def _save_scheme(request, form):
    """Save the scheme and set its ceiling in one transaction; a ceiling the budget refuses (raced below
    reserved + committed) goes back to the field. Returns the scheme, or None when refused."""
    try:
        with transaction.atomic():
            scheme = form.save()
            scheme_set_ceiling(scheme=scheme, ceiling=form.cleaned_data["budget_ceiling"], actor=request.user)
    except BudgetExceeded as error:
        form.add_error("budget_ceiling", str(error))
        return None
    return scheme


def _scheme_form_page(request, form, scheme=None):
    if request.method == "POST" and form.is_valid():
        saved = _save_scheme(request, form)
        if saved is not None:
            messages.success(request, _("The scheme “%(title)s” has been saved.") % {"title": saved.title})
            return redirect("manage_scheme_list")
    return render(request, "grants/manage/scheme_form.html", {"form": form, "scheme": scheme})


@require(Rule.ADMINISTRATOR)
def manage_scheme_create(request):
    form = SchemeForm(request.POST if request.method == "POST" else None, user=request.user)
    return _scheme_form_page(request, form)


@require(Rule.ADMINISTRATOR)
def manage_scheme_edit(request, scheme_id):
    scheme = _scheme(request, scheme_id)
    form = SchemeForm(request.POST if request.method == "POST" else None, instance=scheme, user=request.user)
    return _scheme_form_page(request, form, scheme)


@require(Rule.ADMINISTRATOR)
def manage_scheme_questions(request, scheme_id):
    scheme = _scheme(request, scheme_id)
    data = request.POST if request.method == "POST" else None
    formset = SchemeQuestionFormSet(data, instance=scheme, prefix="questions")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("The questions have been saved."))
        return redirect("manage_scheme_questions", scheme_id=scheme.pk)
    return render(request, "grants/manage/scheme_questions.html", {"scheme": scheme, "formset": formset})


@require(Rule.ADMINISTRATOR)
def manage_scheme_criteria(request, scheme_id):
    """The scheme's assessment criteria (name, weight, maximum score, order); scored ones stay."""
    scheme = _scheme(request, scheme_id)
    data = request.POST if request.method == "POST" else None
    formset = AssessmentCriterionFormSet(data, instance=scheme, prefix="criteria")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("The assessment criteria have been saved."))
        return redirect("manage_scheme_criteria", scheme_id=scheme.pk)
    return render(request, "grants/manage/scheme_criteria.html", {"scheme": scheme, "formset": formset})
