"""Submitting runs grants.eligibility.application_problems: every rule refuses the submit with its own
reason, and the draft stays as it was."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from grants.eligibility import application_problems
from grants.models import ApplicationState, DeMinimisAid, Organisation, SchemeKind, SchemeQuestion
from notifications.models import Outbox
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompanyFactory,
    CompleteApplicationFactory,
    PartnerFactory,
    SchemeFactory,
)
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog
from workflows.services import application_submit

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
CHAIN = SchemeKind.CHAIN


def change(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


def other_municipality(app):
    change(app.company, municipality=Organisation.objects.create(name="Gemeente Elders", slug="elders", code="ELD",
                                                                 email="subsidie@elders.example.nl"))


def required_question(app):
    SchemeQuestion.objects.create(scheme=app.scheme, kind="short_text", label_nl="Wie is uw adviseur?",
                                  label_en="Who is your adviser?", required=True)


def lower_costs(app):
    change(app.cost_lines.get(), amount_excl_vat=Decimal("1000.00"))
    change(app, requested_amount=Decimal("500.00"))


# code: (step, what breaks the rule on a complete draft)
RULES = {
    "too_many_employees": ("project", lambda a: (change(a.scheme, max_employees=10),
                                                 change(a.company, employees=11))),
    "legal_form_not_allowed": ("project", lambda a: change(a.scheme, allowed_legal_forms=["eenmanszaak", "vof"])),
    "outside_municipality": ("project", other_municipality),
    "excluded_sbi_code": ("project", lambda a: change(a.scheme, excluded_sbi_codes="64, 38")),
    "max_awards_reached": ("project", lambda a: ApplicationFactory(scheme=a.scheme, company=a.company,
                                                                   state=ApplicationState.AWARDED)),
    "title_missing": ("project", lambda a: change(a, title=" ")),
    "description_missing": ("project", lambda a: change(a, description="")),
    "dates_missing": ("project", lambda a: change(a, ends_on=None)),
    "end_before_start": ("project", lambda a: change(a, ends_on=a.starts_on - datetime.timedelta(days=1))),
    "rungs_missing": ("circular", lambda a: change(a, current_rung="")),
    "rung_below_required": ("circular", lambda a: change(a.scheme, required_rung="R2")),
    "rung_not_up": ("circular", lambda a: (change(a.scheme, require_rung_up=True), change(a, current_rung="R3"))),
    "no_indicators": ("results", lambda a: a.indicators.all().delete()),
    "no_costs": ("costs", lambda a: a.cost_lines.all().delete()),
    "costs_before_application": ("costs", lambda a: change(a.cost_lines.get(), incurred_on=YESTERDAY)),
    "amount_below_minimum": ("costs", lower_costs),
    "amount_above_maximum": ("costs", lambda a: change(a, requested_amount=Decimal("2000.01"))),
    "amount_not_computed": ("costs", lambda a: change(a, requested_amount=Decimal("1200.00"))),
    "too_few_partners": ("partners", lambda a: change(a.scheme, kind=CHAIN, min_partners=3)),
    "too_many_partners": ("partners", lambda a: (change(a.scheme, kind=CHAIN, max_partners=1),
                                                 PartnerFactory(application=a))),
    "too_few_business_partners": ("partners", lambda a: (change(a.scheme, kind=CHAIN, min_business_partners=2),
                                                         PartnerFactory(application=a, is_business=False))),
    "question_unanswered": ("questions", required_question),
    "attachment_missing": ("attachments", lambda a: change(a.scheme, required_attachments=["quote"])),
    "de_minimis_missing": ("declarations", lambda a: change(a, de_minimis_none=False)),
    "de_minimis_conflict": ("declarations", lambda a: DeMinimisAid.objects.create(
        application=a, provider="Provincie", amount=Decimal("5000.00"), granted_on=YESTERDAY)),
    "not_declared_truthful": ("declarations", lambda a: change(a, declared_truthful=False)),
    "no_processing_consent": ("declarations", lambda a: change(a, consented_processing=False)),
}


@pytest.fixture
def applicant(org_x):
    return ApplicantFactory(company=CompanyFactory(municipality=org_x))


@pytest.fixture
def draft(org_x, applicant):
    scheme = SchemeFactory(organisation=org_x)
    return CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)


def fresh(application):
    return type(application).objects.select_related("scheme", "company").get(pk=application.pk)


def test_a_complete_draft_has_no_problems_and_is_submitted(draft, applicant):
    assert application_problems(fresh(draft)) == []

    application = application_submit(application_id=draft.pk, actor=applicant)

    assert application.state == ApplicationState.SUBMITTED and application.reference


@pytest.mark.parametrize(("code", "rule"), RULES.items(), ids=list(RULES))
def test_submit_is_refused_with_the_rules_reason_and_the_draft_stays(draft, applicant, code, rule):
    step, breaks = rule
    breaks(draft)
    [expected] = [reason for reason in application_problems(fresh(draft)) if reason.code == code]

    with pytest.raises(TransitionRefused) as refused:
        application_submit(application_id=draft.pk, actor=applicant)

    assert expected.step == step
    assert expected.message in refused.value.message and expected in refused.value.reasons
    draft.refresh_from_db()
    assert (draft.state, draft.reference, draft.submitted_at) == (ApplicationState.DRAFT, "", None)
    assert not TransitionLog.objects.exists() and not Outbox.objects.exists()
    assert draft.scheme.budget.reserved == 0


def test_refusal_lists_every_problem(draft, applicant):
    change(draft, declared_truthful=False, consented_processing=False)

    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        application_submit(application_id=draft.pk, actor=applicant)

    assert [reason.code for reason in refused.value.reasons] == ["not_declared_truthful", "no_processing_consent"]
    assert refused.value.message.startswith("Your application cannot be submitted yet")
    assert all(reason.message in refused.value.message for reason in refused.value.reasons)


def test_withdrawn_and_rejected_applications_do_not_count_towards_the_maximum(draft, applicant):
    for state in (ApplicationState.WITHDRAWN, ApplicationState.REJECTED, ApplicationState.DRAFT):
        ApplicationFactory(scheme=draft.scheme, company=draft.company, state=state)

    application = application_submit(application_id=draft.pk, actor=applicant)

    assert application.state == ApplicationState.SUBMITTED


def test_partner_settings_do_not_apply_to_a_scheme_without_a_consortium(draft, applicant):
    change(draft.scheme, min_partners=3, min_business_partners=2)

    assert application_submit(application_id=draft.pk, actor=applicant).state == ApplicationState.SUBMITTED


def test_a_chain_draft_with_its_consortium_is_submitted(org_x, applicant):
    scheme = SchemeFactory(organisation=org_x, kind=CHAIN, min_partners=3, max_partners=6, min_business_partners=2)
    draft = CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)

    assert (draft.partners.count(), draft.partners.filter(is_business=True).count()) == (2, 1)
    assert application_submit(application_id=draft.pk, actor=applicant).state == ApplicationState.SUBMITTED


def test_costs_dated_on_the_application_date_are_eligible(draft, applicant):
    change(draft.cost_lines.get(), incurred_on=timezone.localdate())

    assert application_submit(application_id=draft.pk, actor=applicant).state == ApplicationState.SUBMITTED


def test_costs_before_the_application_date_pass_when_the_scheme_allows_them(draft, applicant):
    change(draft.scheme, costs_after_application_only=False)
    change(draft.cost_lines.get(), incurred_on=YESTERDAY)

    assert application_submit(application_id=draft.pk, actor=applicant).state == ApplicationState.SUBMITTED


def test_check_page_and_submit_give_the_same_reason_for_the_same_company(client, draft, applicant, org_x):
    change(draft.scheme, max_employees=10)
    company = draft.company
    change(company, employees=11)

    with translation.override("nl"):
        response = client.get(reverse("eligibility_check"), {
            "employees": company.employees, "legal_form": company.legal_form, "municipality": org_x.pk,
            "sbi_code": company.sbi_code})
        with pytest.raises(TransitionRefused) as refused:
            application_submit(application_id=draft.pk, actor=applicant)

    [(scheme, [on_page])] = response.context["others"]
    assert scheme == draft.scheme and on_page.code == "too_many_employees"
    [at_submit] = refused.value.reasons
    assert (at_submit.code, at_submit.message) == (on_page.code, on_page.message)
