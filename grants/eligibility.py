"""Who may apply to a scheme and when an application is complete: the one place that says it.

The eligibility check page asks ``company_reasons`` about a profile typed in by a visitor, the
application form shows ``application_problems`` per step, and ``application_submit`` refuses while
``application_problems`` is not empty. So all three give the same reason, in the same words.

    company_reasons(scheme, company)      the company cannot apply (scheme closed, size, legal form, ...)
    application_problems(application)     company_reasons plus what the application still lacks, per step
    computed_amount(application)          eligible costs x co-funding percentage, capped at the maximum
    check_reasons(scheme, profile, ...)   company_reasons plus the check page's kind and amount questions
    scheme_conditions(scheme)             the eligibility settings in plain language, for the scheme page
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy

from applicants.models import LegalForm

from .models import ApplicationState, AttachmentKind, RLadder, SchemeKind
from .models.applications import OPEN_STATES
from .models.circular import rung_number
from .templatetags.money import format_money

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# The steps of the application form, in order; every completeness problem names the one that fixes it.
STEPS = ("project", "circular", "results", "costs", "partners", "questions", "attachments", "declarations")
# The company is chosen on the first step, so reasons about the company point there.
COMPANY_STEP = "project"
# Applications that count towards a scheme's maximum per company: awarded ones and those still pending.
COUNTED_STATES = [ApplicationState.AWARDED, *OPEN_STATES]

# What each kind of scheme pays for, in the words of the check page's question "What do you want to do?".
KIND_ACTIVITIES = {
    SchemeKind.VOUCHER: pgettext_lazy("what a scheme funds", "a circular scan or advice"),
    SchemeKind.PILOT: pgettext_lazy("what a scheme funds", "a pilot"),
    SchemeKind.CHAIN: pgettext_lazy("what a scheme funds", "a chain collaboration with other organisations"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    step: str = COMPANY_STEP

    def __str__(self):
        return str(self.message)


@dataclass(frozen=True)
class CompanyProfile:
    """What the check page knows of a visitor's company: the attributes company_reasons reads."""

    employees: int
    legal_form: str
    municipality_id: int | None
    sbi_code: str = ""
    pk: None = None


def _day(day):
    return date_format(day, "j F Y")


def _join(items):
    return ", ".join(str(item) for item in items)


def _legal_form_label(value):
    return dict(LegalForm.choices).get(value, value)


def _rung_label(value):
    return dict(RLadder.choices).get(value, value)


def _attachment_label(value):
    return dict(AttachmentKind.choices).get(value, value)


def scheme_municipalities(scheme):
    """The municipalities a company must be located in (the scheme's own when none are set)."""
    return list(scheme.eligible_municipalities.all()) or [scheme.organisation]


def _rows(application, name):
    # An unsaved application has no parts yet (and Django refuses to query them).
    return list(getattr(application, name).all()) if application.pk else []


# --- the company ---------------------------------------------------------------------------------


def company_reasons(scheme, company, *, today=None, excluding=None):
    """Why ``company`` (a Company or a CompanyProfile) cannot apply to ``scheme`` on ``today``; empty
    when it can. ``excluding`` is an application left out of the count of awards (the one submitted)."""
    today = today or timezone.localdate()
    reasons = []
    if today < scheme.opens_on:
        reasons.append(Reason("scheme_not_open_yet", gettext("This scheme opens on %(date)s.")
                              % {"date": _day(scheme.opens_on)}))
    elif scheme.closes_on is not None and today > scheme.closes_on:
        reasons.append(Reason("scheme_closed", gettext("This scheme closed on %(date)s.")
                              % {"date": _day(scheme.closes_on)}))
    if scheme.max_employees is not None and company.employees > scheme.max_employees:
        reasons.append(Reason("too_many_employees", ngettext(
            "This scheme is for companies with at most %(max)s employee.",
            "This scheme is for companies with at most %(max)s employees.",
            scheme.max_employees,
        ) % {"max": scheme.max_employees}))
    if scheme.allowed_legal_forms and company.legal_form not in scheme.allowed_legal_forms:
        reasons.append(Reason("legal_form_not_allowed", gettext("This scheme is only for these legal forms: %(forms)s.")
                              % {"forms": _join(_legal_form_label(form) for form in scheme.allowed_legal_forms)}))
    if company.municipality_id not in scheme.municipality_ids:
        reasons.append(Reason("outside_municipality",
                              gettext("This scheme is only for companies located in %(places)s.")
                              % {"places": _join(m.name for m in scheme_municipalities(scheme))}))
    sbi_code = company.sbi_code or ""
    excluded = [code for code in scheme.excluded_sbi_list if sbi_code.startswith(code)]
    if sbi_code and excluded:
        reasons.append(Reason("excluded_sbi_code", gettext("Companies with SBI code %(code)s are excluded from "
                                                           "this scheme.") % {"code": sbi_code}))
    if company.pk is not None:
        counted = scheme.applications.filter(company_id=company.pk, state__in=COUNTED_STATES)
        if excluding is not None and excluding.pk:
            counted = counted.exclude(pk=excluding.pk)
        if counted.count() >= scheme.max_awards_per_company:
            reasons.append(Reason("max_awards_reached", ngettext(
                "A company can receive this scheme once; your company already has an award or a pending "
                "application.",
                "A company can receive this scheme at most %(max)s times; your company already has that many "
                "awards or pending applications.",
                scheme.max_awards_per_company,
            ) % {"max": scheme.max_awards_per_company}))
    return reasons


def check_reasons(scheme, profile, *, kind=None, amount=None, today=None):
    """The check page's answer for one scheme: company_reasons plus what the visitor wants to do
    (a scheme kind) and the amount they need."""
    reasons = company_reasons(scheme, profile, today=today)
    if kind and kind != scheme.kind:
        reasons.append(Reason("kind_mismatch", gettext("This scheme funds %(funds)s, not %(wanted)s.")
                              % {"funds": KIND_ACTIVITIES[scheme.kind], "wanted": KIND_ACTIVITIES[kind]}))
    if amount is not None and amount < scheme.min_amount:
        reasons.append(Reason("amount_too_low", gettext("This scheme grants at least %(min)s.")
                              % {"min": format_money(scheme.min_amount)}))
    if amount is not None and amount > scheme.max_amount:
        reasons.append(Reason("amount_too_high", gettext("This scheme grants at most %(max)s.")
                              % {"max": format_money(scheme.max_amount)}))
    return reasons


# --- the application -----------------------------------------------------------------------------


def computed_amount(application):
    """Eligible costs (excluding VAT) times the scheme's co-funding percentage, capped at its maximum,
    in cents (half up)."""
    scheme = application.scheme
    costs = sum((line.amount_excl_vat for line in _rows(application, "cost_lines")), ZERO)
    amount = costs * Decimal(scheme.cofunding_percentage) / Decimal(100)
    return min(amount, scheme.max_amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostBasis:
    """What a pilot's accepted final report says the final determination could be: the costs spent, times
    the scheme's co-funding percentage, at most the award. The officer decides (Awb 4:46)."""

    costs: Decimal
    percentage: int
    computed: Decimal
    proposed: Decimal


def determination_basis(award):
    """The CostBasis of ``award`` from its accepted final report, or None (no such report, or no costs in it)."""
    from .models import Report, ReportKind, ReportState

    report = (Report.objects.filter(application_id=award.application_id, kind=ReportKind.FINAL,
                                    state=ReportState.ACCEPTED).exclude(costs_spent=None)
              .only("costs_spent").first())
    if report is None:
        return None
    percentage = award.application.scheme.cofunding_percentage
    computed = (report.costs_spent * Decimal(percentage) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return CostBasis(costs=report.costs_spent, percentage=percentage, computed=computed,
                     proposed=min(computed, award.amount))


def application_problems(application, *, today=None):
    """Everything that stops ``application`` from being submitted on ``today`` (its application date),
    each with the step of the form that fixes it; empty when it may be submitted."""
    today = today or timezone.localdate()
    problems = list(company_reasons(application.scheme, application.company, today=today, excluding=application))
    for check in (_project, _circular, _results, _costs, _partners, _questions, _attachments, _declarations):
        problems += check(application, today)
    return problems


def _project(application, today):
    problems = []
    if not (application.title or "").strip():
        problems.append(Reason("title_missing", gettext("Give your project a title."), "project"))
    if not (application.description or "").strip():
        problems.append(Reason("description_missing", gettext("Describe your project."), "project"))
    if application.starts_on is None or application.ends_on is None:
        problems.append(Reason("dates_missing", gettext("Enter the start and end date of your project."), "project"))
    elif application.ends_on < application.starts_on:
        problems.append(Reason("end_before_start", gettext("The end date is before the start date."), "project"))
    return problems


def _circular(application, today):
    scheme, current, target = application.scheme, application.current_rung, application.target_rung
    if not current or not target:
        return [Reason("rungs_missing", gettext("Choose the current and the target rung on the R-ladder."),
                       "circular")]
    problems = []
    # A lower number is a higher rung: R0 refuse is the most circular strategy.
    if scheme.required_rung and rung_number(target) > rung_number(scheme.required_rung):
        problems.append(Reason("rung_below_required",
                               gettext("This scheme asks for a target of at least %(rung)s on the R-ladder.")
                               % {"rung": _rung_label(scheme.required_rung)}, "circular"))
    if scheme.require_rung_up and rung_number(target) >= rung_number(current):
        problems.append(Reason("rung_not_up", gettext("This scheme asks you to climb at least one rung on the "
                                                      "R-ladder: choose a target above %(rung)s.")
                               % {"rung": _rung_label(current)}, "circular"))
    return problems


def _results(application, today):
    if _rows(application, "indicators"):
        return []
    return [Reason("no_indicators", gettext("Add at least one planned result."), "results")]


def _costs(application, today):
    scheme, lines = application.scheme, _rows(application, "cost_lines")
    problems = []
    if not lines:
        problems.append(Reason("no_costs", gettext("Add at least one cost line."), "costs"))
    # DOMAIN rule 9: where the scheme says so, only costs made after the application date are eligible.
    early = [line for line in lines if line.incurred_on < today]
    if scheme.costs_after_application_only and early:
        problems.append(Reason("costs_before_application", ngettext(
            "%(count)s cost line is dated before the application date (%(date)s); only costs made after it "
            "are eligible.",
            "%(count)s cost lines are dated before the application date (%(date)s); only costs made after it "
            "are eligible.",
            len(early),
        ) % {"count": len(early), "date": _day(today)}, "costs"))
    requested = application.requested_amount or ZERO
    if requested < scheme.min_amount:
        problems.append(Reason("amount_below_minimum", gettext("The requested amount is %(amount)s; this scheme "
                                                               "grants at least %(min)s.")
                               % {"amount": format_money(requested), "min": format_money(scheme.min_amount)}, "costs"))
    if requested > scheme.max_amount:
        problems.append(Reason("amount_above_maximum", gettext("The requested amount is %(amount)s; this scheme "
                                                               "grants at most %(max)s.")
                               % {"amount": format_money(requested), "max": format_money(scheme.max_amount)}, "costs"))
    computed = computed_amount(application)
    if lines and requested != computed:
        problems.append(Reason("amount_not_computed", gettext("The requested amount (%(amount)s) does not match "
                                                              "the amount computed from your costs (%(computed)s).")
                               % {"amount": format_money(requested), "computed": format_money(computed)}, "costs"))
    return problems


def _partners(application, today):
    scheme = application.scheme
    # Only a chain collaboration has a consortium (and a partners step in the form).
    if scheme.kind != SchemeKind.CHAIN:
        return []
    partners = _rows(application, "partners")
    # DOMAIN 11a: the lead applicant is a participant and a business too.
    participants = 1 + len(partners)
    businesses = 1 + sum(1 for partner in partners if partner.is_business)
    problems = []
    if scheme.min_partners is not None and participants < scheme.min_partners:
        problems.append(Reason("too_few_partners", gettext(
            "This scheme needs at least %(min)s participants, your company included; you have %(count)s."
        ) % {"min": scheme.min_partners, "count": participants}, "partners"))
    if scheme.max_partners is not None and participants > scheme.max_partners:
        problems.append(Reason("too_many_partners", gettext(
            "This scheme allows at most %(max)s participants, your company included; you have %(count)s."
        ) % {"max": scheme.max_partners, "count": participants}, "partners"))
    if scheme.min_business_partners is not None and businesses < scheme.min_business_partners:
        problems.append(Reason("too_few_business_partners", gettext(
            "This scheme needs at least %(min)s businesses among the participants, your company included; "
            "you have %(count)s."
        ) % {"min": scheme.min_business_partners, "count": businesses}, "partners"))
    return problems


def _questions(application, today):
    required = [q for q in application.scheme.questions.all() if q.required]
    if not required:
        return []
    answered = {
        answer.question_id for answer in _rows(application, "answers") if answer.value.strip() or answer.attachment_id
    }
    english = get_language() == "en"
    return [
        Reason("question_unanswered", gettext("Answer the question “%(question)s”.")
               % {"question": question.label_en if english else question.label_nl}, "questions")
        for question in required if question.pk not in answered
    ]


def _attachments(application, today):
    kinds = application.scheme.required_attachment_kinds
    if not kinds:
        return []
    uploaded = {attachment.kind for attachment in _rows(application, "attachments")}
    return [
        Reason("attachment_missing", gettext("Upload the required attachment: %(kind)s.")
               % {"kind": _attachment_label(kind)}, "attachments")
        for kind in kinds if kind not in uploaded
    ]


def _declarations(application, today):
    problems = []
    aid = _rows(application, "de_minimis_aid")
    # EU 2023/2831: the de minimis declaration is either "none" or the aid received, never both.
    if not application.de_minimis_none and not aid:
        problems.append(Reason("de_minimis_missing", gettext(
            "Declare the other de minimis aid your company received in the last three years, or declare that it "
            "received none."), "declarations"))
    if application.de_minimis_none and aid:
        problems.append(Reason("de_minimis_conflict", gettext(
            "You declared that your company received no other de minimis aid, but you also listed aid: choose one."
        ), "declarations"))
    if not application.declared_truthful:
        problems.append(Reason("not_declared_truthful",
                               gettext("Declare that the information you gave is truthful and complete."),
                               "declarations"))
    if not application.consented_processing:
        problems.append(Reason("no_processing_consent", gettext("Consent to the processing of your data."),
                               "declarations"))
    return problems


# --- the scheme page -------------------------------------------------------------------------------


def scheme_conditions(scheme):
    """The scheme's eligibility settings as sentences for applicants."""
    conditions = [gettext("Your company is located in %(places)s.")
                  % {"places": _join(m.name for m in scheme_municipalities(scheme))}]
    if scheme.max_employees is not None:
        conditions.append(ngettext("Your company has at most %(max)s employee.",
                                   "Your company has at most %(max)s employees.", scheme.max_employees)
                          % {"max": scheme.max_employees})
    if scheme.allowed_legal_forms:
        conditions.append(gettext("Your company's legal form is one of: %(forms)s.")
                          % {"forms": _join(_legal_form_label(form) for form in scheme.allowed_legal_forms)})
    if scheme.excluded_sbi_list:
        conditions.append(gettext("Companies whose SBI code starts with %(codes)s are excluded.")
                          % {"codes": _join(scheme.excluded_sbi_list)})
    is_chain = scheme.kind == SchemeKind.CHAIN
    if is_chain and (scheme.min_partners is not None or scheme.max_partners is not None):
        conditions.append(_participants_sentence(scheme))
    if is_chain and scheme.min_business_partners is not None:
        conditions.append(gettext("At least %(min)s of the participants are businesses.")
                          % {"min": scheme.min_business_partners})
    if scheme.required_rung:
        conditions.append(gettext("Your project reaches at least %(rung)s on the R-ladder.")
                          % {"rung": _rung_label(scheme.required_rung)})
    if scheme.require_rung_up:
        conditions.append(gettext("Your project climbs at least one rung on the R-ladder."))
    if scheme.required_attachment_kinds:
        conditions.append(gettext("You attach: %(kinds)s.")
                          % {"kinds": _join(_attachment_label(kind) for kind in scheme.required_attachment_kinds)})
    if scheme.costs_after_application_only:
        conditions.append(gettext("Only costs made after you apply are eligible: do not commit to anything before."))
    conditions.append(ngettext("A company can receive this scheme once.",
                               "A company can receive this scheme at most %(max)s times.",
                               scheme.max_awards_per_company) % {"max": scheme.max_awards_per_company})
    return conditions


def _participants_sentence(scheme):
    low, high = scheme.min_partners, scheme.max_partners
    if low is not None and high is not None:
        return gettext("Your project has %(min)s to %(max)s participants, your company included.") % {
            "min": low, "max": high}
    if low is not None:
        return gettext("Your project has at least %(min)s participants, your company included.") % {"min": low}
    return gettext("Your project has at most %(max)s participants, your company included.") % {"max": high}
