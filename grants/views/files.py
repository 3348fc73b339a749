"""Attachments: the applicant's upload page, and downloads for the applicant and the municipality's staff.

Files are only ever served here, after the access check, as downloads that browsers will not render
or sniff (Content-Disposition: attachment, nosniff, a sandbox CSP)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from workflows import access, audit
from workflows.access import Rule, require

from ..attachments import (
    ALLOWED_CONTENT_TYPES,
    EXTENSIONS,
    attachment_create,
    attachment_delete,
    max_bytes,
    megabytes,
    safe_file_name,
    validate_upload,
)
from ..models import ApplicationState, Attachment, AttachmentKind
from ..wizard import attachment_overview

SAFE_METHODS = ("GET", "HEAD")
# Room for the form's other fields and the multipart boundaries around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"),
                             choices=[("", gettext_lazy("Choose a kind")), *AttachmentKind.choices])
    # ``accept`` only helps the browser's file picker; the content is checked on the server.
    file = forms.FileField(label=gettext_lazy("File"), widget=forms.ClearableFileInput(
        attrs={"accept": ",".join(ext for exts in EXTENSIONS.values() for ext in exts)}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG, JPEG, XLSX, DOCX or ODT; at most %(size)s MB.") % {
            "size": megabytes(max_bytes())}

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_upload(uploaded)
        return uploaded


def _own_application(request, application_id):
    queryset = access.own_applications(request.user).select_related("scheme", "scheme__organisation", "company")
    return get_object_or_404(queryset, pk=application_id)


def _declared_too_large(request):
    """Refuse an oversized upload from its Content-Length, before Django reads it into a temporary file."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes() + MULTIPART_OVERHEAD
    except ValueError:
        return False


def _attachments_page(request, application, form, status=200):
    prefetch_related_objects([application], "attachments")  # one query for the list and the overview
    return render(request, "grants/attachments.html", {
        "application": application,
        "attachments": list(application.attachments.all()),
        "required_kinds": [(label, bool(files)) for label, required, files in attachment_overview(application)
                           if required],
        "is_draft": application.state == ApplicationState.DRAFT,
        "form": form,
        "review_url": reverse("application_review", args=[application.pk]),
    }, status=status)


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def application_attachments(request, application_id):
    application = _own_application(request, application_id)
    if request.method != "POST":
        return _attachments_page(request, application, AttachmentForm())
    if application.state != ApplicationState.DRAFT:
        messages.error(request, _("Attachments can only be changed while the application is a draft."))
        return redirect("application_attachments", application_id=application.pk)
    if _declared_too_large(request):
        messages.error(request, _("This file is larger than %(size)s MB.") % {"size": megabytes(max_bytes())})
        return _attachments_page(request, application, AttachmentForm(), status=413)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = attachment_create(application=application, uploaded_file=form.cleaned_data["file"],
                                           kind=form.cleaned_data["kind"], user=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": attachment.original_name})
            return redirect("application_attachments", application_id=application.pk)
    return _attachments_page(request, application, form, status=400)


@require(Rule.APPLICANT)
@require_POST
def application_attachment_delete(request, application_id, attachment_id):
    application = _own_application(request, application_id)
    attachment = get_object_or_404(application.attachments.all(), pk=attachment_id)
    try:
        attachment_delete(attachment=attachment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": attachment.original_name})
    return redirect("application_attachments", application_id=application.pk)


def _download(request, attachment, *, case, subject=None):
    """The stored file as a download; the caller has checked access (so a 405 reveals nothing). The
    audit row names ``subject`` (the stored model row, default ``attachment``) of application ``case``."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    content_type = attachment.content_type if attachment.content_type in ALLOWED_CONTENT_TYPES else None
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except (OSError, ValueError, SuspiciousFileOperation):
        messages.error(request, _("The file %(name)s could not be found. Please contact the municipality.")
                       % {"name": attachment.original_name})
        return render(request, "404.html", status=404)
    name = safe_file_name(attachment.original_name, content_type) if content_type else "download"
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway: no scripts, no same-origin access, no caching on shared machines.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    audit.downloaded(request, subject or attachment, case=case, detail=attachment.original_name)
    return response


@require(Rule.APPLICANT)
def attachment_download(request, application_id, attachment_id):
    application = _own_application(request, application_id)
    return _download(request, get_object_or_404(Attachment.objects.filter(application=application), pk=attachment_id),
                     case=application)


@require(Rule.STAFF)
def case_attachment_download(request, application_id, attachment_id):
    application = get_object_or_404(access.staff_cases(request.user), pk=application_id)
    return _download(request, get_object_or_404(Attachment.objects.filter(application=application), pk=attachment_id),
                     case=application)
