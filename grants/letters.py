"""Decision letters: the placeholders an administrator may use, the letter's context, rendering to
HTML and PDF (WeasyPrint), and issuing a letter inside a transition's effects.

A letter = the scheme's latest text for its kind (or the system default) with the placeholders filled
in, followed by the clauses the system always appends: the de minimis statement on awards and the
remedies clause (the appeal clause on a decision on an objection). The issued letter is frozen: its
text, template version, PDF and sending date never change afterwards."""

import html
import logging
import string
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from workflows.deadlines import term_end

from . import letter_texts as texts
from .models import DecisionLetter, LetterChannel, LetterKind, LetterTemplate, Scheme
from .templatetags.money import format_money

# The fixed list of placeholders; anything else in a text is a field error.
PLACEHOLDERS = {
    "reference": "the case reference",
    "title": "the project title",
    "company": "the company's name",
    "company_address": "the company's address",
    "scheme": "the scheme's title",
    "legal_basis": "the scheme's legal basis",
    "municipality": "the municipality",
    "amount": "the amount awarded or determined",
    "requested_amount": "the amount applied for",
    "activities": "the subsidised activities",
    "decision_date": "the date of the letter",
    "due_date": "the decision due date",
    "reason": "the reason or motivation",
    "advance": "the advance terms",
    "advance_percentage": "the scheme's advance percentage",
    "determination_deadline": "the deadline to apply for the final determination",
    "obligations": "the obligations",
    "reporting_plan": "the reporting plan",
    "extension_weeks": "the extension in weeks",
}
AWARD_ELEMENTS = ("activities", "amount", "obligations", "reporting_plan", "advance", "determination_deadline")
# What each kind must say (DOMAIN rule 5 for awards, Awb 4:14 for extensions): their absence is a field error.
REQUIRED = {
    LetterKind.AWARD: AWARD_ELEMENTS,
    LetterKind.PARTIAL_AWARD: (*AWARD_ELEMENTS, "requested_amount", "reason"),
    LetterKind.REJECTION: ("reason",),
    LetterKind.NOT_CONSIDERED: ("reason",),
    LetterKind.EXTENSION: ("due_date", "reason"),
    LetterKind.OBJECTION_DECISION: ("reason",),
    LetterKind.REVOCATION: ("amount", "reason"),
    LetterKind.DETERMINATION: ("amount",),
}
AWARD_KINDS = (LetterKind.AWARD, LetterKind.PARTIAL_AWARD)
# After the end of the activities: the period to apply for the final determination.
DETERMINATION_PERIOD = timedelta(weeks=13)


def placeholder_problems(text, kind):
    """Messages for the placeholders in ``text`` that are unknown, malformed or missing for ``kind``."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [_("A brace { or } is not closed. Write {{ or }} for a brace in the text itself.")]
    problems, used = [], set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            problems.append(_("Unknown placeholder {%(name)s}.") % {"name": name + (f":{spec}" if spec else "")})
        used.add(name)
    missing = [name for name in REQUIRED.get(kind, ()) if name not in used]
    if missing:
        problems.append(_("This letter must contain: %(names)s.") % {
            "names": ", ".join("{" + name + "}" for name in missing)})
    return problems


def validate_letter_text(text, kind):
    problems = placeholder_problems(text, kind)
    if problems:
        raise ValidationError(problems)


def current_template(scheme, kind):
    return LetterTemplate.objects.filter(scheme=scheme, kind=kind).order_by("-version").first()


def letter_template_save(*, scheme, kind, body_nl, body_en, actor):
    """Save the texts as the next version of ``scheme``'s ``kind`` letter; earlier versions stay (history,
    and the letters that were sent with them). Raises ValidationError for a text with bad placeholders."""
    for body in (body_nl, body_en):
        validate_letter_text(body, kind)
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()  # one version number at a time
        last = LetterTemplate.objects.filter(scheme=scheme, kind=kind).aggregate(last=Max("version"))["last"]
        return LetterTemplate.objects.create(scheme=scheme, kind=kind, version=(last or 0) + 1,
                                             body_nl=body_nl, body_en=body_en, created_by=actor)


def letter_language(application):
    """Dutch unless the person who applied chose English."""
    return "en" if getattr(application.created_by, "language", "nl") == "en" else "nl"


def decision_letter_kind(application):
    """The letter for the decision just approved: a partial award when less than requested was awarded."""
    # The state, not the proposal: an award the ceiling could not cover at all ends as a rejection (Awb 4:25).
    from grants.models import ApplicationState

    if application.state == ApplicationState.AWARDED:
        if application.awarded_amount is not None and application.awarded_amount < application.requested_amount:
            return LetterKind.PARTIAL_AWARD
        return LetterKind.AWARD
    if application.state == ApplicationState.NOT_CONSIDERED:
        return LetterKind.NOT_CONSIDERED
    return LetterKind.REJECTION


def _date(value, language):
    with translation.override(language):
        return date_format(value, "j F Y") if value else "-"


def _value(value, language):
    if isinstance(value, Decimal):
        return format_money(value, language)
    if isinstance(value, date):
        return _date(value, language)
    return str(value)


def letter_context(application, language, extra=None):
    """Every placeholder's value for ``application`` in ``language``; ``extra`` overrides them."""
    scheme, company, org = application.scheme, application.company, application.scheme.organisation
    amount = application.awarded_amount if application.awarded_amount is not None else application.proposed_amount
    amount = amount if amount is not None else Decimal("0")
    ends = application.ends_on or timezone.localdate()
    if scheme.advance_percentage:
        advance_amount = (amount * scheme.advance_percentage / 100).quantize(Decimal("0.01"))
        advance = texts.ADVANCE[language].format(percentage=scheme.advance_percentage,
                                                 amount=format_money(advance_amount, language))
    else:
        advance = texts.NO_ADVANCE[language]
    if amount < scheme.direct_determination_threshold:
        reporting = texts.REPORTING_DIRECT[language].format(
            threshold=format_money(scheme.direct_determination_threshold, language))
    else:
        reporting = texts.REPORTING_REPORT[language]
    context = {
        "reference": application.reference,
        "title": application.title,
        "company": company.name,
        "company_address": f"{company.street}, {company.postcode} {company.city}",
        "scheme": scheme.title_en if language == "en" else scheme.title_nl,
        "legal_basis": scheme.legal_basis,
        "municipality": org.name,
        "amount": amount,
        "requested_amount": application.requested_amount,
        "activities": f"{application.title}: {application.description}".strip().rstrip("."),
        "decision_date": timezone.localdate(),
        "due_date": application.decision_due_on,
        "reason": application.proposal_motivation or "-",
        "advance": advance,
        "advance_percentage": f"{scheme.advance_percentage}%",
        "determination_deadline": term_end(ends, days=DETERMINATION_PERIOD.days),
        "obligations": texts.OBLIGATIONS[language].format(starts_on=_date(application.starts_on, language),
                                                          ends_on=_date(application.ends_on, language)),
        "reporting_plan": reporting,
        "extension_weeks": application.extension_weeks or "-",
    }
    unknown = set(extra or {}) - set(PLACEHOLDERS)
    if unknown:
        raise ValueError(f"Unknown letter placeholders: {sorted(unknown)}")
    context.update(extra or {})
    return {key: _value(value, language) for key, value in context.items()}


def closing_clauses(application, kind, language):
    """(heading, text) pairs the system appends to every letter: they cannot be edited away."""
    org, labels = application.scheme.organisation, texts.LABELS[language]
    clauses = []
    if kind in AWARD_KINDS:
        clauses.append((labels["de_minimis"], texts.DE_MINIMIS_STATEMENT[language]))
    if kind == LetterKind.OBJECTION_DECISION:
        court = org.appeal_court or texts.DEFAULT_COURT[language].format(municipality=org.name)
        clauses.append((labels["appeal"], texts.APPEAL_CLAUSE[language].format(
            court=court, reference=application.reference)))
    else:
        address = ", ".join(line.strip() for line in org.postal_address.splitlines() if line.strip())
        clauses.append((labels["remedies"], texts.REMEDIES_CLAUSE[language].format(
            objection_body=org.objection_body, address=address or texts.NO_ADDRESS[language],
            reference=application.reference)))
    return clauses


def _paragraphs(text):
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return mark_safe("".join(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in blocks))


def letter_render(application, kind, *, language=None, body=None, extra=None):
    """The letter as (subject, plain text, HTML), not saved. ``body`` defaults to the scheme's current
    text for ``kind`` or the system default."""
    language = language or letter_language(application)
    if body is None:
        template = current_template(application.scheme, kind)
        body = getattr(template, f"body_{language}") if template else texts.DEFAULT_BODIES[kind][language]
    context = letter_context(application, language, extra)
    filled = body.format_map(context)
    clauses = closing_clauses(application, kind, language)
    subject = f"{texts.SUBJECTS[kind][language]}: {context['scheme']}"
    text = "\n\n".join([filled, *(f"{heading}\n{clause}" for heading, clause in clauses)])
    org = application.scheme.organisation
    page = render_to_string("letters/letter.html", {
        "language": language, "labels": texts.LABELS[language], "organisation": org,
        "organisation_address": [line for line in org.postal_address.splitlines() if line.strip()],
        "company": application.company, "reference": application.reference, "subject": subject,
        "date": context["decision_date"], "body": _paragraphs(filled),
        "clauses": [(heading, _paragraphs(clause)) for heading, clause in clauses],
    })
    return subject, text, page


def render_pdf(page):
    # WeasyPrint logs each rendering step (also while importing) at INFO: quiet below warnings.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML  # imported here: loading its fonts costs a second at start-up

    return HTML(string=page).write_pdf()


def letter_issue(*, application, kind, actor, objection=None, extra=None):
    """Issue a letter of ``kind`` on ``application``: render, freeze and store it (private media).

    Call it inside a transition's effects, so the letter exists exactly when the step does. Awb 2:14:
    sent electronically today when the applicant consented, otherwise it waits on the municipality's
    print-and-post list until an officer marks it posted (letter_mark_posted). ``extra`` overrides
    placeholder values (e.g. ``reason``); ``objection`` is recorded for an objection decision."""
    language = letter_language(application)
    template = current_template(application.scheme, kind)
    body = getattr(template, f"body_{language}") if template else None
    subject, text, page = letter_render(application, kind, language=language, body=body, extra=extra)
    electronic = application.electronic_consent
    letter = DecisionLetter(
        application=application, kind=kind, language=language, template=template,
        template_version=template.version if template else 0, subject=subject, text=text,
        objection_id=getattr(objection, "pk", None), issued_by=actor,
        channel=LetterChannel.ELECTRONIC if electronic else LetterChannel.POST,
        sent_on=timezone.localdate() if electronic else None,
    )
    letter.pdf.save(f"{kind}.pdf", ContentFile(render_pdf(page)), save=False)
    # The file is written before the row; a row that fails takes its file with it. (A rollback of the
    # surrounding transaction later leaves an unreferenced file in private media, never a row without one.)
    try:
        letter.save()
    except Exception:
        letter.pdf.storage.delete(letter.pdf.name)
        raise
    return letter


def letter_link(letter):
    """The applicant's download link of a letter once it has been sent; "" while it waits to be posted
    (Awb 2:14: without consent the applicant receives it on paper, not online first)."""
    from django.urls import reverse

    from notifications.services import absolute_url

    if letter.sent_on is None:
        return ""
    return absolute_url(reverse("application_letter_download", args=[letter.application_id, letter.pk]))
