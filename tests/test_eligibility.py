"""grants.eligibility (who may apply, the amount) and the public eligibility check page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from grants.eligibility import CompanyProfile, company_reasons, computed_amount
from grants.models import ApplicationState, CostLine, SchemeKind
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CompanyFactory,
    OrganisationFactory,
    SchemeFactory,
)

TODAY = timezone.localdate()
URL = reverse("eligibility_check")


def codes(reasons):
    return [reason.code for reason in reasons]


def profile(org, **changes):
    return CompanyProfile(**{"employees": 12, "legal_form": "bv", "municipality_id": org.pk, "sbi_code": "3832",
                             **changes})


def answers(org, **changes):
    return {"employees": "12", "legal_form": "bv", "municipality": org.pk, "sbi_code": "3832", "kind": "voucher",
            "amount": "1500", **changes}


# --- computed_amount -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_computed_amount_is_the_cofunded_share_of_costs_excluding_vat_rounded_half_up():
    application = ApplicationFactory(scheme__max_amount=Decimal("5000.00"), scheme__cofunding_percentage=50)
    for amount in ("1000.00", "0.01"):
        CostLine.objects.create(application=application, description="Scan", amount_excl_vat=Decimal(amount),
                                vat=Decimal("210.00"), incurred_on=TODAY)

    assert computed_amount(application) == Decimal("500.01")  # 500.005 rounds up


@pytest.mark.django_db
def test_computed_amount_is_capped_at_the_schemes_maximum():
    application = ApplicationFactory(scheme__max_amount=Decimal("2000.00"), scheme__cofunding_percentage=60)
    CostLine.objects.create(application=application, description="Pilot", amount_excl_vat=Decimal("10000.00"),
                            incurred_on=TODAY)

    assert computed_amount(application) == Decimal("2000.00")


@pytest.mark.django_db
def test_computed_amount_without_costs_is_zero():
    assert computed_amount(ApplicationFactory()) == Decimal("0.00")


# --- company_reasons -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_company_that_meets_every_condition_has_no_reasons(org_x):
    scheme = SchemeFactory(organisation=org_x, max_employees=50, allowed_legal_forms=["bv"], excluded_sbi_codes="64")

    assert company_reasons(scheme, CompanyFactory(municipality=org_x)) == []


COMPANY_RULES = [
    ({"max_employees": 11}, {}, "too_many_employees"),
    ({"allowed_legal_forms": ["eenmanszaak"]}, {}, "legal_form_not_allowed"),
    ({"excluded_sbi_codes": "64,38"}, {}, "excluded_sbi_code"),
    ({}, {"municipality_id": None}, "outside_municipality"),
    ({"opens_on": TODAY + datetime.timedelta(days=1)}, {}, "scheme_not_open_yet"),
    ({"closes_on": TODAY - datetime.timedelta(days=1)}, {}, "scheme_closed"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("setup", "company", "code"), COMPANY_RULES, ids=[rule[-1] for rule in COMPANY_RULES])
def test_company_reasons_name_the_condition_not_met(org_x, setup, company, code):
    scheme = SchemeFactory(organisation=org_x, **setup)

    assert codes(company_reasons(scheme, profile(org_x, **company))) == [code]


@pytest.mark.django_db
def test_an_excluded_sbi_code_excludes_the_codes_that_start_with_it(org_x):
    scheme = SchemeFactory(organisation=org_x, excluded_sbi_codes="38")

    assert codes(company_reasons(scheme, profile(org_x, sbi_code="3832"))) == ["excluded_sbi_code"]
    assert company_reasons(scheme, profile(org_x, sbi_code="1629")) == []
    assert company_reasons(scheme, profile(org_x, sbi_code="83")) == []


@pytest.mark.django_db
def test_companies_in_the_schemes_eligible_municipalities_may_apply(org_x, org_y):
    scheme = SchemeFactory(organisation=org_x)
    scheme.eligible_municipalities.add(org_x, org_y)

    assert company_reasons(scheme, profile(org_y)) == []
    assert codes(company_reasons(scheme, profile(OrganisationFactory()))) == ["outside_municipality"]


@pytest.mark.django_db
@pytest.mark.parametrize("state", [ApplicationState.AWARDED, ApplicationState.SUBMITTED, ApplicationState.PROPOSED])
def test_awarded_and_pending_applications_count_towards_the_maximum_per_company(org_x, state):
    scheme = SchemeFactory(organisation=org_x, max_awards_per_company=2)
    company = CompanyFactory(municipality=org_x)
    ApplicationFactory(scheme=scheme, company=company, state=ApplicationState.AWARDED)
    assert company_reasons(scheme, company) == []

    ApplicationFactory(scheme=scheme, company=company, state=state)

    assert codes(company_reasons(scheme, company)) == ["max_awards_reached"]


# --- the check page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_lists_the_open_schemes_that_fit(client, org_x, org_y):
    fits = SchemeFactory(organisation=org_x)
    SchemeFactory(organisation=org_x, closes_on=TODAY - datetime.timedelta(days=1))  # closed: not listed
    elsewhere = SchemeFactory(organisation=org_y)

    response = client.get(URL, answers(org_x))

    assert response.status_code == 200
    assert [scheme for scheme, _ in response.context["fitting"]] == [fits]
    assert [(scheme, codes(reasons)) for scheme, reasons in response.context["others"]] == [
        (elsewhere, ["outside_municipality"])]
    assert fits.title in response.content.decode()


CHECK_RULES = [
    ({"max_employees": 10}, {}, "too_many_employees"),
    ({"allowed_legal_forms": ["eenmanszaak"]}, {}, "legal_form_not_allowed"),
    ({}, {"municipality": ""}, "outside_municipality"),
    ({"excluded_sbi_codes": "38"}, {}, "excluded_sbi_code"),
    ({"kind": SchemeKind.CHAIN}, {}, "kind_mismatch"),
    ({}, {"amount": "999.99"}, "amount_too_low"),
    ({}, {"amount": "2000.01"}, "amount_too_high"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("setup", "answer", "code"), CHECK_RULES, ids=[rule[-1] for rule in CHECK_RULES])
def test_check_gives_the_reason_a_scheme_does_not_fit(client, org_x, setup, answer, code):
    scheme = SchemeFactory(organisation=org_x, **setup)

    response = client.get(URL, answers(org_x, **answer))

    [(listed, reasons)] = response.context["others"]
    assert listed == scheme and codes(reasons) == [code]
    assert escape(reasons[0].message) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [
    ("employees", "abc"), ("employees", "-1"), ("employees", "1e400"), ("legal_form", "plc"),
    ("municipality", "abc"), ("municipality", "99999999999999999999999"), ("sbi_code", "38a"),
    ("kind", "lottery"), ("amount", "NaN"), ("amount", "1" * 40),
])
def test_bad_answers_are_refused_at_the_field_and_kept(client, org_x, field, value):
    SchemeFactory(organisation=org_x)

    response = client.get(URL, answers(org_x, **{field: value}))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not response.context["checked"] and response.context["fitting"] == []


@pytest.mark.django_db
def test_check_reads_an_amount_with_a_dutch_decimal_comma(client, org_x):
    SchemeFactory(organisation=org_x)

    response = client.get(URL, answers(org_x, amount="1999,99"))  # Dutch is the default language

    assert response.context["form"].cleaned_data["amount"] == Decimal("1999.99")
    assert len(response.context["fitting"]) == 1


@pytest.mark.django_db
def test_check_keeps_what_was_typed_after_an_error(client, org_x):
    response = client.get(URL, answers(org_x, employees="abc", sbi_code="3832"))

    page = response.content.decode()
    assert 'value="abc"' in page and 'value="3832"' in page and 'class="error"' in page


@pytest.mark.django_db
def test_check_is_prefilled_from_the_signed_in_users_first_company(client, org_x):
    applicant = ApplicantFactory(company=CompanyFactory(municipality=org_x, employees=7, sbi_code="1629"))
    client.force_login(applicant)

    response = client.get(URL)

    form = response.context["form"]
    assert not form.is_bound and not response.context["checked"]
    assert form.initial == {"employees": 7, "legal_form": "bv", "municipality": org_x.pk, "sbi_code": "1629"}


@pytest.mark.django_db
def test_check_without_answers_shows_only_the_questions(client):
    response = client.get(URL)

    assert response.status_code == 200 and not response.context["form"].is_bound
    assert response.context["fitting"] == [] and response.context["others"] == []


@pytest.mark.django_db
def test_check_costs_the_same_queries_for_1_and_20_schemes(client, org_x, django_assert_num_queries):
    SchemeFactory(organisation=org_x)
    # the open schemes with municipality and budget, their eligible municipalities, the municipality
    # choice (validation), the municipality choices (rendering)
    with django_assert_num_queries(4):
        client.get(URL, answers(org_x))
    SchemeFactory.create_batch(19, organisation=org_x)
    with django_assert_num_queries(4):
        response = client.get(URL, answers(org_x))
    assert len(response.context["fitting"]) == 20
