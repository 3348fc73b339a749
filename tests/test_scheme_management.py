"""The functional administrator configures their own municipality's schemes, ceilings and questions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Budget, LedgerEntry, LedgerKind, Scheme, SchemeQuestion, StaffRole
from grants.services import budget_reserve
from tests.factories import ApplicantFactory, ApplicationFactory, SchemeFactory, make_staff


def scheme_data(organisation, **changes):
    return {
        "organisation": organisation.pk, "kind": "voucher", "code": "circulaire-scan",
        "title_nl": "Circulaire scan", "title_en": "Circular scan",
        "description_nl": "Een bijdrage in de kosten.", "description_en": "A contribution to the costs.",
        "legal_basis": "Subsidieregeling circulaire economie 2026", "legal_basis_url": "",
        "opens_on": "2026-03-01", "closes_on": "2026-12-31", "distribution": "first_come",
        "min_amount": "500.00", "max_amount": "2500.00", "cofunding_percentage": "50",
        "decision_term_weeks": "8", "repair_period_days": "14", "direct_determination_threshold": "5000.00",
        "advance_percentage": "0", "max_awards_per_company": "1", "costs_after_application_only": "on",
        "allowed_legal_forms": ["bv", "vof"], "eligible_municipalities": [organisation.pk],
        "required_attachments": ["quote"], "required_rung": "", "budget_ceiling": "40000.00", **changes,
    }


def edit_data(scheme, **changes):
    return scheme_data(scheme.organisation, code=scheme.code, **changes)


@pytest.fixture
def admin_x(client, org_x):
    client.force_login(make_staff(org_x, StaffRole.ADMINISTRATOR))
    return client


@pytest.mark.django_db
def test_administrator_creates_a_scheme_with_its_budget(admin_x, org_x):
    response = admin_x.post(reverse("manage_scheme_create"), scheme_data(org_x))
    assert response.status_code == 302, response.context["form"].errors
    scheme = Scheme.objects.get(organisation=org_x, code="circulaire-scan")
    assert scheme.allowed_legal_forms == ["bv", "vof"] and scheme.required_attachments == ["quote"]
    assert list(scheme.eligible_municipalities.all()) == [org_x]
    assert Budget.objects.get(scheme=scheme).ceiling == Decimal("40000.00")
    entry = LedgerEntry.objects.get(budget__scheme=scheme)
    assert (entry.kind, entry.amount) == (LedgerKind.CEILING_CHANGE, Decimal("40000.00"))


@pytest.mark.django_db
def test_administrator_edits_a_scheme_and_raising_the_ceiling_is_a_ledger_entry(admin_x, org_x):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))
    url = reverse("manage_scheme_edit", args=[scheme.pk])
    assert admin_x.get(url).context["form"]["budget_ceiling"].value() == Decimal("10000.00")
    response = admin_x.post(url, edit_data(scheme, title_nl="Nieuwe titel", budget_ceiling="12500.00"))
    assert response.status_code == 302, response.context["form"].errors
    scheme.refresh_from_db()
    assert scheme.title_nl == "Nieuwe titel" and scheme.budget.ceiling == Decimal("12500.00")
    change = LedgerEntry.objects.filter(budget__scheme=scheme, kind=LedgerKind.CEILING_CHANGE).latest("pk")
    assert change.amount == Decimal("2500.00")


@pytest.mark.django_db
def test_ceiling_below_reservations_is_refused_at_the_field(admin_x, org_x):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))
    budget_reserve(application=ApplicationFactory(scheme=scheme, submitted=True), amount=Decimal("6000"))
    response = admin_x.post(reverse("manage_scheme_edit", args=[scheme.pk]),
                            edit_data(scheme, budget_ceiling="5000.00", title_nl="Getypt"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "budget_ceiling" in form.errors and form["title_nl"].value() == "Getypt"
    assert Budget.objects.get(scheme=scheme).ceiling == Decimal("10000.00")
    assert Scheme.objects.get(pk=scheme.pk).title_nl != "Getypt"


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field"), [
    ({"closes_on": "2026-02-01"}, "closes_on"),
    ({"max_amount": "100.00"}, "max_amount"),
    ({"cofunding_percentage": "0"}, "cofunding_percentage"),
    ({"advance_percentage": "101"}, "advance_percentage"),
])
def test_inconsistent_settings_are_refused_at_the_field(admin_x, org_x, changes, field):
    response = admin_x.post(reverse("manage_scheme_create"), scheme_data(org_x, **changes))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Scheme.objects.filter(code="circulaire-scan").exists()


@pytest.mark.django_db
def test_code_is_unique_per_municipality(admin_x, org_x, org_y):
    SchemeFactory(organisation=org_x, code="circulaire-scan")
    SchemeFactory(organisation=org_y, code="dubbel")
    response = admin_x.post(reverse("manage_scheme_create"), scheme_data(org_x))
    assert list(response.context["form"].errors) == ["code"]
    assert admin_x.post(reverse("manage_scheme_create"), scheme_data(org_x, code="dubbel")).status_code == 302


@pytest.mark.django_db
def test_another_municipalitys_scheme_does_not_exist_for_the_administrator(admin_x, org_x, org_y):
    scheme_y = SchemeFactory(organisation=org_y)
    for name in ("manage_scheme_edit", "manage_scheme_questions"):
        url = reverse(name, args=[scheme_y.pk])
        assert admin_x.get(url).status_code == 404
        assert admin_x.post(url, edit_data(scheme_y, title_nl="Gekaapt")).status_code == 404
    assert Scheme.objects.get(pk=scheme_y.pk).title_nl != "Gekaapt"
    # Nor can the administrator create a scheme for Y.
    response = admin_x.post(reverse("manage_scheme_create"), scheme_data(org_y))
    assert list(response.context["form"].errors) == ["organisation"]
    listed = admin_x.get(reverse("manage_scheme_list")).context["schemes"]
    assert scheme_y not in listed


@pytest.mark.django_db
@pytest.mark.parametrize("role", [StaffRole.OFFICER, StaffRole.MANAGER, None])
def test_officers_managers_and_applicants_are_refused(client, org_x, role):
    scheme = SchemeFactory(organisation=org_x)
    client.force_login(make_staff(org_x, role) if role else ApplicantFactory())
    assert client.get(reverse("manage_scheme_list")).status_code == 403
    assert client.post(reverse("manage_scheme_create"), scheme_data(org_x)).status_code == 403
    for name in ("manage_scheme_edit", "manage_scheme_questions"):
        assert client.get(reverse(name, args=[scheme.pk])).status_code == 403
    assert not Scheme.objects.filter(code="circulaire-scan").exists()


def questions_data(*rows, initial=0):
    data = {"questions-TOTAL_FORMS": str(len(rows)), "questions-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        data.update({f"questions-{i}-{key}": value for key, value in row.items()})
    return data


CHOICE = {"order": "1", "kind": "choice", "label_nl": "Welke sector?", "label_en": "Which sector?",
          "required": "on", "choices_nl": "Bouw\nTextiel", "choices_en": "Construction\nTextiles"}


@pytest.mark.django_db
def test_questions_are_added_and_removed(admin_x, org_x):
    scheme = SchemeFactory(organisation=org_x)
    url = reverse("manage_scheme_questions", args=[scheme.pk])
    response = admin_x.post(url, questions_data(CHOICE))
    assert response.status_code == 302
    question = SchemeQuestion.objects.get(scheme=scheme)
    assert (question.kind, question.choices_en) == ("choice", "Construction\nTextiles")
    response = admin_x.post(url, questions_data({**CHOICE, "id": question.pk, "DELETE": "on"}, initial=1))
    assert response.status_code == 302 and not SchemeQuestion.objects.filter(scheme=scheme).exists()


@pytest.mark.django_db
def test_a_choice_question_needs_as_many_english_choices_as_dutch(admin_x, org_x):
    scheme = SchemeFactory(organisation=org_x)
    response = admin_x.post(reverse("manage_scheme_questions", args=[scheme.pk]),
                            questions_data({**CHOICE, "choices_en": "Construction"}))
    assert response.status_code == 200
    form = response.context["formset"].forms[0]
    assert list(form.errors) == ["choices_en"] and form["label_nl"].value() == "Welke sector?"
    assert not SchemeQuestion.objects.filter(scheme=scheme).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 10])
def test_scheme_list_costs_the_same_for_1_and_10_schemes(admin_x, org_x, django_assert_num_queries, count):
    for _ in range(count):
        SchemeFactory(organisation=org_x)
    SchemeFactory()  # another municipality's: not listed
    # session, user, the second factor's device, memberships (one query), unread count,
    # the schemes joined with their municipality and budget.
    with django_assert_num_queries(6):
        response = admin_x.get(reverse("manage_scheme_list"))
    assert len(response.context["schemes"]) == count
