"""Decision letters on the pages: administrators' letter texts per scheme (versions, preview on a real
case), downloads for the applicant and the municipality, the print-and-post list, and the officer's
extension and notice of default on the case page."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows import access, services
from workflows.access import Rule, require
from workflows.decision_term import due_date_explanation, penalty_exposure
from workflows.http import perform

from ..db import fetch_with_sql_written_once
from ..forms.letters import DefaultNoticeForm, ExtensionForm, LetterTemplateForm, PostedForm
from ..letter_texts import DEFAULT_BODIES
from ..letters import PLACEHOLDERS, REQUIRED, current_template, letter_render, letter_template_save, render_pdf
from ..models import Application, ApplicationState, LetterKind, LetterTemplate

SAFE_METHODS = ("GET", "HEAD")


# --- letter texts (administrator) ----------------------------------------------------------------


def _scheme(request, scheme_id):
    return get_object_or_404(access.administered_schemes(request.user).select_related("organisation"), pk=scheme_id)


def _kind(kind):
    if kind not in LetterKind.values:
        raise Http404
    return LetterKind(kind)


@require(Rule.ADMINISTRATOR)
def manage_letter_templates(request, scheme_id):
    scheme = _scheme(request, scheme_id)
    latest = {}
    for template in LetterTemplate.objects.filter(scheme=scheme).select_related("created_by").order_by("-version"):
        latest.setdefault(template.kind, template)
    kinds = [(kind, latest.get(kind.value)) for kind in LetterKind]
    return render(request, "grants/manage/letter_list.html", {"scheme": scheme, "kinds": kinds})


@require(Rule.ADMINISTRATOR)
def manage_letter_template_edit(request, scheme_id, kind):
    scheme, kind = _scheme(request, scheme_id), _kind(kind)
    current = current_template(scheme, kind)
    initial = ({"body_nl": current.body_nl, "body_en": current.body_en} if current
               else {"body_nl": DEFAULT_BODIES[kind]["nl"], "body_en": DEFAULT_BODIES[kind]["en"]})
    form = LetterTemplateForm(request.POST if request.method == "POST" else None, initial=initial, kind=kind)
    status, preview = 200, None
    if request.method == "POST" and form.is_valid() and "preview" in request.POST:
        # Try the unsaved text on the scheme's latest case first; nothing is stored.
        case = (Application.objects.filter(scheme=scheme).exclude(state=ApplicationState.DRAFT)
                .select_related("scheme__organisation", "company", "created_by").order_by("-submitted_at").first())
        if case is not None:
            preview = {"case": case, "letters": [
                letter_render(case, kind, language=language, body=form.cleaned_data[f"body_{language}"])[:2]
                for language in ("nl", "en")]}
        else:
            messages.info(request, _("This scheme has no submitted applications yet to preview the letter on."))
    elif request.method == "POST":
        if form.is_valid():
            saved = letter_template_save(scheme=scheme, kind=kind, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Version %(version)s of the letter has been saved.") % {
                "version": saved.version})
            return redirect("manage_letter_template_edit", scheme_id=scheme.pk, kind=kind.value)
        status = 400
    history = LetterTemplate.objects.filter(scheme=scheme, kind=kind).select_related("created_by")
    return render(request, "grants/manage/letter_form.html", {
        "scheme": scheme, "kind": kind, "form": form, "current": current, "history": history, "preview": preview,
        "placeholders": [(name, name in REQUIRED.get(kind, ())) for name in PLACEHOLDERS],
    }, status=status)


@require(Rule.ADMINISTRATOR)
def manage_letter_preview(request, scheme_id, kind):
    """The current text on a real case of the scheme, as the letter's text or as its PDF (?format=pdf)."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    scheme, kind = _scheme(request, scheme_id), _kind(kind)
    cases = Application.objects.filter(scheme=scheme).exclude(state=ApplicationState.DRAFT).select_related(
        "company").order_by("-submitted_at")[:50]
    cases = list(cases)
    chosen = next((case for case in cases if str(case.pk) == request.GET.get("application")), None)
    chosen = chosen or (cases[0] if cases else None)
    language = "en" if request.GET.get("language") == "en" else "nl"
    context = {"scheme": scheme, "kind": kind, "cases": cases, "chosen": chosen, "language": language}
    if chosen is not None:
        application = Application.objects.select_related("scheme__organisation", "company", "created_by").get(
            pk=chosen.pk)
        subject, text, page = letter_render(application, kind, language=language)
        if request.GET.get("format") == "pdf":
            response = HttpResponse(render_pdf(page), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="preview-{kind.value}.pdf"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
        context.update(subject=subject, text=text)
    return render(request, "grants/manage/letter_preview.html", context)


# --- downloads -----------------------------------------------------------------------------------


def _pdf_download(request, letter):
    """The frozen PDF as a download browsers will not render or sniff; the caller checked access."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    try:
        handle = letter.pdf.storage.open(letter.pdf.name, "rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=letter.file_name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require(Rule.APPLICANT)
def application_letter_download(request, application_id, letter_id):
    # Awb 2:14: a letter that waits to be posted is not handed out online first.
    application = get_object_or_404(access.own_applications(request.user), pk=application_id)
    letter = get_object_or_404(application.letters.filter(sent_on__isnull=False).select_related("application"),
                               pk=letter_id)
    return _pdf_download(request, letter)


@require(Rule.STAFF)
def case_letter_download(request, application_id, letter_id):
    application = get_object_or_404(access.staff_cases(request.user), pk=application_id)
    return _pdf_download(request, get_object_or_404(application.letters.select_related("application"), pk=letter_id))


# --- print and post (the municipality's officers and managers) ------------------------------


@require(Rule.STAFF)
def letter_post_list(request):
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    letters = list(services.post_list_for(request.user)[:200])
    return render(request, "letters/post_list.html", {"letters": letters, "form": PostedForm()})


@require(Rule.STAFF)
@require_POST
def letter_mark_posted(request, letter_id):
    letter = get_object_or_404(services.post_list_for(request.user), pk=letter_id)
    form = PostedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the letter was posted."))
        return redirect("letter_post_list")
    perform(request, services.letter_mark_posted, letter_id=letter.pk, posted_on=form.cleaned_data["posted_on"],
            success=_("The letter %(reference)s has been marked as posted.") % {
                "reference": letter.application.reference})
    return redirect("letter_post_list")


# --- case page: extension and notice of default (officer) ----------------------------------------


def case_letters_context(application, forms):
    """What the case page shows about letters and the decision term."""
    notice = application.default_notice_received_on
    decided = timezone.localdate(application.decided_at) if application.decided_at else None
    return {
        "letters": fetch_with_sql_written_once(application.letters.all(), shape="case letters"),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "default_notice_form": forms.get("default_notice_form") or DefaultNoticeForm(),
        "due_explanation": due_date_explanation(application),
        "penalty": penalty_exposure(notice_received_on=notice, due_on=application.decision_due_on,
                                    today=timezone.localdate(), decided_on=decided) if notice else None,
    }


@require(Rule.STAFF)
@require_POST
def case_extend(request, application_id):
    from .staff import _case_action

    return _case_action(request, application_id, services.application_extend, form_class=ExtensionForm,
                        form_key="extension_form",
                        success=_("The decision term has been extended and the letter has been issued."))


@require(Rule.STAFF)
@require_POST
def case_register_default_notice(request, application_id):
    from .staff import _case_action

    return _case_action(request, application_id, services.application_register_default_notice,
                        form_class=DefaultNoticeForm, form_key="default_notice_form",
                        success=_("The notice of default has been registered."))
