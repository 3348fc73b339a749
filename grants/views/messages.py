"""Posting to the message thread of an application, from the applicant's side and the municipality's."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from workflows import access
from workflows.access import Rule, require

from ..messaging import DRAFT_HAS_NO_THREAD, message_post, thread_of
from ..models import ApplicationState


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write a message before sending it.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "thread_%s")  # unique ids next to the other forms of the page
        super().__init__(*args, **kwargs)


@require(Rule.APPLICANT)
@require_POST
def application_message_post(request, application_id):
    queryset = access.own_applications(request.user).select_related("scheme", "scheme__organisation", "company")
    application = get_object_or_404(queryset, pk=application_id)
    if application.state == ApplicationState.DRAFT:
        messages.error(request, DRAFT_HAS_NO_THREAD)
        return redirect("application_detail", application_id=application.pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        # The detail page belongs to the application views; the thread page shows the form with its error.
        return render(request, "grants/message_form.html", {
            "application": application, "thread": list(thread_of(application)), "thread_form": form,
        }, status=400)
    message_post(application=application, author=request.user, body=form.cleaned_data["body"], from_staff=False)
    messages.success(request, _("Your message has been sent to the municipality."))
    return redirect("application_detail", application_id=application.pk)


@require(Rule.STAFF)
@require_POST
def case_message_post(request, application_id):
    from .staff import _case, _case_page

    application = _case(request, application_id)
    if application.company_id in access.company_ids(request.user):
        # Conflict of interest: staff never speak for the municipality on their own company's case.
        messages.error(request, _("You are a member of this company, so you cannot write on behalf of the "
                                  "municipality."))
        return redirect("case_detail", application_id=application.pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, thread_form=form)
    message_post(application=application, author=request.user, body=form.cleaned_data["body"], from_staff=True)
    messages.success(request, _("Your message has been sent to the applicant."))
    return redirect("case_detail", application_id=application.pk)
