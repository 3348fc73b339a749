"""The application in steps: every step saves the draft, the applicant resumes any time, and a review
page shows everything (with what is still missing) before the application can be submitted."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import eligibility, wizard
from grants.models import (
    Answer,
    Application,
    ApplicationState,
    CostLine,
    DeMinimisAid,
    Partner,
    PlannedIndicator,
    QuestionKind,
    SchemeKind,
    SchemeQuestion,
)
from tests.factories import (
    PDF_BYTES,
    ApplicantFactory,
    ApplicationFactory,
    CompanyFactory,
    SchemeFactory,
    complete_application,
)

SOON = timezone.localdate() + datetime.timedelta(days=20)
LATER = timezone.localdate() + datetime.timedelta(days=120)


@pytest.fixture
def scheme(org_x):
    return SchemeFactory(organisation=org_x, min_amount=Decimal("1000"), max_amount=Decimal("2000"),
                         cofunding_percentage=50)


@pytest.fixture
def applicant(org_x):
    return ApplicantFactory(company=CompanyFactory(municipality=org_x))


@pytest.fixture
def draft(client, scheme, applicant):
    client.force_login(applicant)
    return ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)


def step_url(application, step):
    return reverse("application_step", args=[application.pk, step])


def rows(prefix, *lines, initial=0):
    """A formset's POST data: the management form and one dict per row."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(lines)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for number, line in enumerate(lines):
        data |= {f"{prefix}-{number}-{key}": value for key, value in line.items()}
    return data


def save(client, application, step, data, *, go_on=True):
    return client.post(step_url(application, step), {**data, **({"continue": "1"} if go_on else {"save": "1"})})


PROJECT = {"title": "Hergebruik van sloophout", "description": "Wij maken meubels van sloophout.",
           "location": "Alphen aan den Rijn", "starts_on": SOON.isoformat(), "ends_on": LATER.isoformat()}


def test_the_wizard_has_a_step_for_every_step_eligibility_names():
    assert [step.slug for step in wizard.STEPS] == list(eligibility.STEPS)


# --- creating and resuming -------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_saves_the_project_step_and_goes_on_to_the_next_step(client, scheme, applicant):
    client.force_login(applicant)
    response = client.post(reverse("application_create", args=[scheme.pk]),
                           {"company": applicant.test_company.pk, **PROJECT, "continue": "1"})
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == step_url(application, "circular")
    assert application.state == ApplicationState.DRAFT and application.created_by == applicant
    assert (application.location, application.starts_on, application.ends_on) == ("Alphen aan den Rijn", SOON, LATER)


@pytest.mark.django_db
def test_create_refuses_a_company_outside_the_schemes_municipality_with_the_reason(client, scheme, org_y):
    applicant = ApplicantFactory(company=CompanyFactory(municipality=org_y))
    client.force_login(applicant)
    response = client.post(reverse("application_create", args=[scheme.pk]),
                           {"company": applicant.test_company.pk, **PROJECT})
    assert response.status_code == 200
    assert "Gemeente Alphen" in " ".join(response.context["form"].non_field_errors())
    assert 'value="Hergebruik van sloophout"' in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_create_offers_a_choice_of_company_only_to_members_of_several(client, scheme, applicant, org_x):
    client.force_login(applicant)
    assert client.get(reverse("application_create", args=[scheme.pk])).context["form"]["company"].is_hidden
    second = CompanyFactory(municipality=org_x)
    second.memberships.create(user=applicant)
    form = client.get(reverse("application_create", args=[scheme.pk])).context["form"]
    assert not form["company"].is_hidden and len(form.fields["company"].queryset) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("step", "data", "shown"), [
    ("project", PROJECT, 'value="Alphen aan den Rijn"'),
    ("circular", {"current_rung": "R8", "target_rung": "R3"}, '<option value="R3" selected>'),
    ("results", rows("indicators", {"indicator": "waste_avoided", "planned": "750"}), 'value="750.00"'),
    ("costs", rows("costs", {"description": "Circulaire scan", "amount_excl_vat": "2400", "vat": "0",
                             "incurred_on": SOON.isoformat()}), 'value="Circulaire scan"'),
    ("declarations", {"de_minimis_none": "on", "electronic_consent": "on", "declared_truthful": "on",
                      **rows("aid")}, 'id="id_declared_truthful" checked'),
])
def test_each_step_saves_the_draft_and_shows_it_on_return(client, draft, step, data, shown):
    response = save(client, draft, step, data, go_on=False)
    assert response.status_code == 302 and response.url == step_url(draft, step)
    assert shown in client.get(step_url(draft, step)).content.decode()


@pytest.mark.django_db
def test_save_and_continue_goes_to_the_next_step_and_the_last_to_the_review(client, draft):
    response = save(client, draft, "circular", {"current_rung": "R8", "target_rung": "R3"})
    assert response.url == step_url(draft, "results")
    response = save(client, draft, "declarations", {"de_minimis_none": "on", **rows("aid")})
    assert response.url == reverse("application_review", args=[draft.pk])


@pytest.mark.django_db
def test_invalid_step_keeps_what_was_typed_and_shows_the_error_at_the_field(client, draft):
    response = save(client, draft, "project", {**PROJECT, "ends_on": (SOON - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert 'value="Hergebruik van sloophout"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.title != PROJECT["title"]


@pytest.mark.django_db
def test_step_navigation_marks_the_current_step_and_what_is_done(client, draft):
    content = client.get(step_url(draft, "circular")).content.decode()
    assert f'href="{step_url(draft, "circular")}" aria-current="step"' in content
    assert content.count('aria-current="step"') == 1
    navigation = client.get(step_url(draft, "circular")).context["navigation"]
    done = {item["step"].slug: item["done"] for item in navigation}
    assert done["project"] is False  # no dates yet
    assert done["attachments"] is True and done["circular"] is False


# --- the steps' own rules ------------------------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_indicator_is_refused_at_its_field(client, draft):
    response = save(client, draft, "results", rows("indicators", {"indicator": "waste_avoided", "planned": "10"},
                                                   {"indicator": "waste_avoided", "planned": "20"}))
    assert response.status_code == 200
    assert "indicator" in response.context["formset"].forms[1].errors
    assert not PlannedIndicator.objects.exists()


@pytest.mark.django_db
def test_indicator_choices_show_their_unit(client, draft):
    content = client.get(step_url(draft, "results")).content.decode()
    assert "(kg)" in content and "(FTE)" in content


@pytest.mark.django_db
def test_requested_amount_is_the_cofunded_share_of_the_costs(client, draft):
    save(client, draft, "costs", rows("costs", {"description": "Scan", "amount_excl_vat": "2400", "vat": "504",
                                                "incurred_on": SOON.isoformat()}))
    draft.refresh_from_db()
    assert draft.requested_amount == Decimal("1200.00")  # 50% of 2,400 excluding VAT
    content = client.get(step_url(draft, "costs")).content.decode()
    assert "EUR 2.400,00" in content and "EUR 1.200,00" in content and "50%" in content


@pytest.mark.django_db
def test_requested_amount_is_capped_at_the_scheme_maximum_and_says_so(client, draft):
    save(client, draft, "costs", rows("costs", {"description": "Scan", "amount_excl_vat": "10000", "vat": "0",
                                                "incurred_on": SOON.isoformat()}))
    draft.refresh_from_db()
    assert draft.requested_amount == Decimal("2000.00")
    response = client.get(step_url(draft, "costs"))
    assert response.context["costs"]["capped"] is True
    assert "maximum" in response.content.decode()


@pytest.mark.django_db
def test_partners_step_is_skipped_for_a_voucher_scheme(client, draft):
    response = client.get(step_url(draft, "partners"))
    assert response.status_code == 302 and response.url == step_url(draft, "attachments")
    navigation = client.get(step_url(draft, "costs")).context["navigation"]
    assert "partners" not in [item["step"].slug for item in navigation]


@pytest.fixture
def chain_draft(client, org_x, applicant):
    scheme = SchemeFactory(organisation=org_x, kind=SchemeKind.CHAIN, min_amount=Decimal("10000"),
                           max_amount=Decimal("75000"), cofunding_percentage=60, min_partners=3)
    client.force_login(applicant)
    return ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)


PARTNER = {"kvk_number": "69599084", "name": "Ketenpartner B.V.", "legal_form": "bv", "is_business": "True",
           "cost_share": "12000", "de_minimis_received": "0"}


@pytest.mark.django_db
def test_partners_step_shows_the_lead_applicant_first_and_saves_partners(client, chain_draft, applicant):
    content = client.get(step_url(chain_draft, "partners")).content.decode()
    assert content.index(applicant.test_company.name) < content.index('name="partners-0-kvk_number"')
    response = save(client, chain_draft, "partners", rows("partners", {**PARTNER, "kvk_number": "6959 9084"}))
    assert response.url == step_url(chain_draft, "attachments")
    partner = Partner.objects.get()
    assert (partner.kvk_number, partner.is_business, partner.cost_share) == ("69599084", True, Decimal("12000"))


@pytest.mark.django_db
@pytest.mark.parametrize("kvk_number", ["1234567", "12345678a", "LEAD"])
def test_partner_kvk_number_is_validated_at_the_field(client, chain_draft, applicant, kvk_number):
    if kvk_number == "LEAD":
        kvk_number = applicant.test_company.kvk_number
    response = save(client, chain_draft, "partners", rows("partners", {**PARTNER, "kvk_number": kvk_number}))
    assert response.status_code == 200
    assert "kvk_number" in response.context["formset"].forms[0].errors
    assert f'value="{kvk_number}"' in response.content.decode()
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_same_partner_twice_is_refused(client, chain_draft):
    response = save(client, chain_draft, "partners", rows("partners", PARTNER, PARTNER))
    assert "kvk_number" in response.context["formset"].forms[1].errors
    assert not Partner.objects.exists()


AID = {"provider": "Provincie Zuid-Holland", "amount": "5000",
       "granted_on": (timezone.localdate() - datetime.timedelta(days=400)).isoformat()}


@pytest.mark.django_db
@pytest.mark.parametrize(("none", "aid"), [(False, []), (True, [AID])], ids=["neither", "both"])
def test_de_minimis_declaration_is_either_none_or_the_aid_received(client, draft, none, aid):
    data = {**rows("aid", *aid), "declared_truthful": "on", **({"de_minimis_none": "on"} if none else {})}
    response = save(client, draft, "declarations", data)
    assert response.status_code == 200
    assert "de_minimis_none" in response.context["de_minimis_form"].errors
    draft.refresh_from_db()
    assert not DeMinimisAid.objects.exists() and not draft.declared_truthful


@pytest.mark.django_db
def test_de_minimis_aid_lines_are_saved_and_older_aid_refused(client, draft):
    old = {**AID, "granted_on": (timezone.localdate() - datetime.timedelta(days=4 * 365)).isoformat()}
    response = save(client, draft, "declarations", rows("aid", old))
    assert "granted_on" in response.context["formset"].forms[0].errors
    save(client, draft, "declarations", {**rows("aid", AID), "consented_processing": "on"})
    draft.refresh_from_db()
    assert DeMinimisAid.objects.get().amount == Decimal("5000") and draft.consented_processing


# --- the scheme's questions ----------------------------------------------------------------------


@pytest.fixture
def questions(scheme):
    return [
        SchemeQuestion.objects.create(scheme=scheme, order=1, kind=QuestionKind.CHOICE, label_nl="Welke sector?",
                                      label_en="Which sector?", choices_nl="Bouw\nTextiel",
                                      choices_en="Construction\nTextiles"),
        SchemeQuestion.objects.create(scheme=scheme, order=2, kind=QuestionKind.LONG_TEXT, required=False,
                                      label_nl="Toelichting", label_en="Explanation", help_nl="Kort graag",
                                      help_en="Briefly please"),
    ]


@pytest.mark.django_db
def test_questions_are_asked_in_the_users_language(client, draft, questions):
    content = client.get(step_url(draft, "questions")).content.decode()
    assert "Welke sector?" in content and "Textiel" in content and "Kort graag" in content
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    content = client.get(step_url(draft, "questions")).content.decode()
    assert "Which sector?" in content and "Textiles" in content and "Briefly please" in content
    assert "Welke sector?" not in content


@pytest.mark.django_db
def test_required_question_is_enforced_and_answers_saved(client, draft, questions):
    choice, text = questions
    response = save(client, draft, "questions", {f"question_{text.pk}": "Wij starten in mei."})
    assert f"question_{choice.pk}" in response.context["form"].errors
    assert "Wij starten in mei." in response.content.decode() and not Answer.objects.exists()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    save(client, draft, "questions", {f"question_{choice.pk}": "Textiel", f"question_{text.pk}": ""})
    assert Answer.objects.get(question=choice).value == "Textiel"  # stored as the Dutch choice


@pytest.mark.django_db
def test_file_question_stores_the_upload_as_an_attachment_and_refuses_a_bad_file(client, draft, scheme):
    question = SchemeQuestion.objects.create(scheme=scheme, kind=QuestionKind.FILE, label_nl="Offerte",
                                             label_en="Quote")
    field = f"question_{question.pk}"
    response = save(client, draft, "questions", {field: SimpleUploadedFile("virus.exe", b"MZ\x90\x00binary")})
    assert response.status_code == 200 and field in response.context["form"].errors
    save(client, draft, "questions", {field: SimpleUploadedFile("offerte.pdf", PDF_BYTES)})
    answer = Answer.objects.get()
    assert answer.attachment.original_name == "offerte.pdf" and answer.attachment.application == draft


# --- who may change what -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_submitted_application_can_no_longer_be_changed_through_the_steps(client, scheme, applicant):
    client.force_login(applicant)
    submitted = ApplicationFactory(scheme=scheme, company=applicant.test_company, submitted=True)
    for url in (step_url(submitted, "project"), reverse("application_review", args=[submitted.pk])):
        response = client.post(url, {**PROJECT, "continue": "1"}, follow=True)
        assert response.redirect_chain[0][0] == reverse("application_detail", args=[submitted.pk])
        assert any(m.level_tag == "error" for m in response.context["messages"])
    submitted.refresh_from_db()
    assert submitted.title != PROJECT["title"]


@pytest.mark.django_db
def test_another_companys_draft_does_not_exist_for_you(client, scheme):
    other = ApplicationFactory(scheme=scheme)
    client.force_login(ApplicantFactory())
    assert client.get(step_url(other, "project")).status_code == 404
    assert client.post(step_url(other, "project"), PROJECT).status_code == 404
    assert client.get(reverse("application_review", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_unknown_step_is_not_found(client, draft):
    assert client.get(step_url(draft, "payment")).status_code == 404


# --- review and submit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_lists_the_problems_per_step_and_hides_submit(client, draft):
    response = client.get(reverse("application_review", args=[draft.pk]))
    content = response.content.decode()
    sections = {section["step"].slug: section["problems"] for section in response.context["sections"]}
    assert [p.code for p in sections["circular"]] == ["rungs_missing"]
    assert "no_costs" in [p.code for p in sections["costs"]]
    assert f'<a href="{step_url(draft, "circular")}">' in content
    assert reverse("application_submit", args=[draft.pk]) not in content


@pytest.mark.django_db
def test_review_of_a_complete_application_offers_submit_and_shows_its_parts(client, draft):
    complete_application(draft)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(reverse("application_review", args=[draft.pk]))
    content = response.content.decode()
    assert response.context["problems"] == []
    assert reverse("application_submit", args=[draft.pk]) in content
    assert "Circulaire scan door erkend adviseur" in content  # the cost line
    assert content.count(">Edit<") == len(response.context["sections"])


@pytest.mark.django_db
def test_draft_detail_page_continues_at_the_first_step_with_something_to_do(client, draft):
    content = client.get(reverse("application_detail", args=[draft.pk])).content.decode()
    assert step_url(draft, "project") in content  # no dates yet
    assert reverse("application_review", args=[draft.pk]) in content


@pytest.mark.django_db
def test_complete_application_submits_through_the_pages(client, scheme, applicant):
    client.force_login(applicant)
    client.post(reverse("application_create", args=[scheme.pk]),
                {"company": applicant.test_company.pk, **PROJECT, "continue": "1"})
    application = Application.objects.get()
    for step, data in [
        ("circular", {"current_rung": "R8", "target_rung": "R3"}),
        ("results", rows("indicators", {"indicator": "waste_avoided", "planned": "750"})),
        ("costs", rows("costs", {"description": "Scan", "amount_excl_vat": "3000", "vat": "630",
                                 "incurred_on": SOON.isoformat()})),
        ("attachments", {}),
        ("declarations", {"de_minimis_none": "on", "electronic_consent": "on", "declared_truthful": "on",
                          "consented_processing": "on", **rows("aid")}),
    ]:
        assert save(client, application, step, data).status_code == 302, step
    review = client.get(reverse("application_review", args=[application.pk]))
    assert review.context["problems"] == []
    client.post(reverse("application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED and application.requested_amount == Decimal("1500.00")
    assert CostLine.objects.get().application == application


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["project", "circular", "results", "costs", "partners", "questions", "attachments",
                                  "declarations"])
def test_an_empty_or_tampered_post_on_any_step_is_answered_without_an_error(client, chain_draft, step):
    SchemeQuestion.objects.create(scheme=chain_draft.scheme, kind=QuestionKind.NUMBER, label_nl="Aantal",
                                  label_en="Number")
    for data in ({}, {"costs-TOTAL_FORMS": "x", "partners-TOTAL_FORMS": "99999", "question_1": "abc"}):
        response = client.post(step_url(chain_draft, step), data)
        assert response.status_code in (200, 302), (step, data)


@pytest.mark.django_db
def test_review_page_costs_the_same_queries_for_1_and_20_rows_per_part(client, draft):
    # The parts are prefetched once (cost lines, indicators, partners, attachments, aid, answers, questions).
    complete_application(draft)
    url = reverse("application_review", args=[draft.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(19):
        CostLine.objects.create(application=draft, description=f"Kosten {number}", amount_excl_vat=1,
                                incurred_on=SOON)
        DeMinimisAid.objects.create(application=draft, provider=f"Gever {number}", amount=1, granted_on=SOON)
    with CaptureQueriesContext(connection) as twenty:
        client.get(url)
    assert len(twenty) == len(one)
