"""Decision letters: each kind's required elements in its frozen text and a valid PDF, the letter texts
administrators edit (placeholders, versions, preview), issuing at approval, print and post, downloads."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from grants.letter_texts import DEFAULT_BODIES
from grants.letters import letter_issue, letter_template_save, placeholder_problems
from grants.models import DecisionLetter, LetterChannel, LetterKind, LetterTemplate, StaffRole
from notifications.models import Outbox
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    DecisionLetterFactory,
    SchemeFactory,
    letter_pdf_text,
    make_staff,
)
from workflows import services
from workflows.exceptions import TransitionRefused

FROZEN = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def scheme(org_x):
    org_x.postal_address = "Postbus 13\n2400 AA Alphen aan den Rijn"
    org_x.save()
    return SchemeFactory(organisation=org_x, advance_percentage=80, max_amount=Decimal("5000.00"),
                         legal_basis="Subsidieverordening Alphen 2024", ceiling=Decimal("50000.00"))


@pytest.fixture
def applicant(db):
    return ApplicantFactory()


@pytest.fixture
def officer(org_x):
    return make_staff(org_x, StaffRole.OFFICER)


@pytest.fixture
def manager(org_x):
    return make_staff(org_x, StaffRole.MANAGER)


@pytest.fixture
def administrator(org_x):
    return make_staff(org_x, StaffRole.ADMINISTRATOR)


def awarded(scheme, applicant, amount="1234.56", requested="1234.56", **extra):
    return ApplicationFactory(
        scheme=scheme, company=applicant.test_company, created_by=applicant, proposed=True,
        requested_amount=Decimal(requested), proposed_amount=Decimal(amount), awarded_amount=Decimal(amount),
        title="Circulaire scan houtwerkplaats", starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2027, 3, 31), proposal_motivation="Het subsidieplafond is bereikt.", **extra)


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.django_db
def test_award_letter_names_everything_the_award_must_contain(scheme, applicant, manager):
    letter = letter_issue(application=awarded(scheme, applicant), kind=LetterKind.AWARD, actor=manager)
    text = letter.text
    assert "Circulaire scan houtwerkplaats" in text  # the subsidised activities
    assert "EUR 1.234,56" in text  # the amount, the Dutch way
    assert "Verplichtingen" in text and "1 december 2026" in text and "31 maart 2027" in text  # obligations
    assert "Verantwoording" in text  # the reporting plan
    assert "voorschot van 80%" in text and "EUR 987,65" in text  # advance terms
    assert "uiterlijk op 30 juni 2027" in text  # 13 weeks after the end: the determination deadline
    assert "Verordening (EU) 2023/2831" in text  # de minimis statement
    assert "Subsidieverordening Alphen 2024" in text
    pdf = letter_pdf_text(letter)
    for element in ("Circulaire scan houtwerkplaats", "EUR 1.234,56", "Verplichtingen", "Verantwoording",
                    "voorschot van 80%", "30 juni 2027", "2023/2831", "zes weken", letter.application.reference):
        assert element in pdf, element


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k in LetterKind if k != LetterKind.OBJECTION_DECISION])
def test_every_letter_carries_the_remedies_clause(scheme, applicant, manager, kind):
    letter = letter_issue(application=awarded(scheme, applicant), kind=kind, actor=manager,
                          extra={"reason": "Omdat het zo is.", "extension_weeks": 4})
    assert "bezwaar maken" in letter.text and "zes weken" in letter.text
    assert "de dag na de dag waarop dit besluit is verzonden" in letter.text  # Awb 6:8
    assert "Postbus 13, 2400 AA Alphen aan den Rijn" in letter.text
    assert str(scheme.organisation.objection_body) in letter.text
    assert "6:7" in letter.text and "beroep instellen" not in letter.text
    assert ("2023/2831" in letter.text) == (kind in (LetterKind.AWARD, LetterKind.PARTIAL_AWARD))
    pdf = letter_pdf_text(letter)
    assert "bezwaar maken" in pdf and "zes weken" in pdf and "Postbus 13" in pdf
    assert ("2023/2831" in pdf) == (kind in (LetterKind.AWARD, LetterKind.PARTIAL_AWARD))


@pytest.mark.django_db
def test_objection_decision_carries_the_appeal_clause_instead(scheme, applicant, manager):
    scheme.organisation.appeal_court = "Rechtbank Den Haag"
    scheme.organisation.save()
    letter = letter_issue(application=awarded(scheme, applicant), kind=LetterKind.OBJECTION_DECISION, actor=manager,
                          extra={"reason": "Het bezwaar is ongegrond."})
    assert "beroep instellen bij Rechtbank Den Haag" in letter.text and "zes weken" in letter.text
    assert "Het bezwaar is ongegrond." in letter.text
    assert "Dan kunt u als belanghebbende bezwaar maken" not in letter.text
    assert "beroep instellen bij Rechtbank Den Haag" in letter_pdf_text(letter)


@pytest.mark.django_db
def test_letter_is_english_when_the_applicant_chose_english(scheme, manager):
    applicant = ApplicantFactory(language="en")
    letter = letter_issue(application=awarded(scheme, applicant), kind=LetterKind.AWARD, actor=manager)
    assert letter.language == "en" and "EUR 1,234.56" in letter.text
    assert "De minimis aid" in letter.text and "object to it" in letter.text


@pytest.mark.django_db
def test_remedies_clause_cannot_be_edited_away(scheme, applicant, manager, administrator):
    letter_template_save(scheme=scheme, kind=LetterKind.REJECTION, actor=administrator,
                         body_nl="Afgewezen: {reason}", body_en="Rejected: {reason}")
    application = awarded(scheme, applicant)
    letter = letter_issue(application=application, kind=LetterKind.REJECTION, actor=manager)
    assert letter.text.startswith("Afgewezen: Het subsidieplafond is bereikt.")
    assert "bezwaar maken" in letter.text and letter.template_version == 1


@pytest.mark.parametrize(("text", "problem"), [
    ("Bedrag: {bedrag}", "Unknown placeholder {bedrag}"),
    ("Bedrag: {amount.real}", "Unknown placeholder {amount.real}"),
    ("Bedrag: {amount:>10}", "Unknown placeholder {amount:>10}"),
    ("Bedrag: {amount", "not closed"),
    ("Wij wijzen af.", "must contain: {reason}"),
])
def test_letter_text_placeholders_are_checked(text, problem):
    with translation.override("en"):
        assert any(problem in str(message) for message in placeholder_problems(text, LetterKind.REJECTION))


def test_award_text_must_name_all_the_award_elements():
    problems = placeholder_problems("Wij verlenen {amount}.", LetterKind.AWARD)
    assert "{activities}" in str(problems) and "{determination_deadline}" in str(problems)
    assert placeholder_problems(DEFAULT_BODIES["award"]["nl"], LetterKind.AWARD) == []


@pytest.mark.django_db
def test_every_default_text_is_valid_for_its_kind():
    for kind, bodies in DEFAULT_BODIES.items():
        assert placeholder_problems(bodies["nl"], kind) == [] and placeholder_problems(bodies["en"], kind) == []


@pytest.mark.django_db
def test_unknown_placeholder_is_an_error_at_the_field_and_nothing_is_lost(client, scheme, administrator):
    client.force_login(administrator)
    url = reverse("manage_letter_template_edit", args=[scheme.pk, "rejection"])
    response = client.post(url, {"body_nl": "Helaas: {reden}", "body_en": "Sorry: {reason}"})
    assert response.status_code == 400
    assert response.context["form"].errors["body_nl"] and "body_en" not in response.context["form"].errors
    assert "Helaas: {reden}" in response.content.decode()
    assert not LetterTemplate.objects.exists()


@pytest.mark.django_db
def test_every_save_is_a_new_version_listed_in_the_history(client, scheme, administrator):
    client.force_login(administrator)
    url = reverse("manage_letter_template_edit", args=[scheme.pk, "rejection"])
    for n in (1, 2):
        response = client.post(url, {"body_nl": f"Versie {n}: {{reason}}", "body_en": f"Version {n}: {{reason}}"})
        assert response.status_code == 302
    assert list(LetterTemplate.objects.values_list("version", "body_nl")) == [
        (2, "Versie 2: {reason}"), (1, "Versie 1: {reason}")]
    page = client.get(url).content.decode()
    assert "Versie 1: {reason}" in page and "Versie 2: {reason}" in page


@pytest.mark.django_db
def test_a_sent_letter_is_frozen_with_its_template_version(scheme, applicant, manager, administrator):
    letter_template_save(scheme=scheme, kind=LetterKind.REJECTION, actor=administrator,
                         body_nl="Eerste tekst. {reason}", body_en="First text. {reason}")
    application = awarded(scheme, applicant)
    first = letter_issue(application=application, kind=LetterKind.REJECTION, actor=manager)
    letter_template_save(scheme=scheme, kind=LetterKind.REJECTION, actor=administrator,
                         body_nl="Tweede tekst. {reason}", body_en="Second text. {reason}")
    second = letter_issue(application=application, kind=LetterKind.REJECTION, actor=manager)
    first.refresh_from_db()
    assert first.text.startswith("Eerste tekst.") and first.template_version == 1
    assert second.text.startswith("Tweede tekst.") and second.template_version == 2


@pytest.mark.django_db
def test_preview_shows_the_letter_on_a_real_case_and_as_pdf(client, scheme, applicant, administrator):
    application = awarded(scheme, applicant)
    client.force_login(administrator)
    url = reverse("manage_letter_preview", args=[scheme.pk, "award"])
    page = client.get(url, {"application": application.pk})
    assert page.status_code == 200 and "EUR 1.234,56" in page.content.decode()
    pdf = client.get(url, {"application": application.pk, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert not DecisionLetter.objects.exists()  # a preview issues nothing


# --- issuing at the decision --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("outcome", "amount", "kind"), [
    ("award", "1234.56", LetterKind.AWARD),
    ("award", "1000.00", LetterKind.PARTIAL_AWARD),
    ("reject", None, LetterKind.REJECTION),
    ("not_considered", None, LetterKind.NOT_CONSIDERED),
])
def test_approval_issues_the_decision_letter_and_the_notification_links_it(scheme, applicant, manager, outcome,
                                                                           amount, kind):
    application = awarded(scheme, applicant, amount=amount or "1234.56")
    application.proposed_outcome = outcome
    application.proposed_amount = Decimal(amount) if amount else None
    application.awarded_amount = None
    application.save()
    services.application_approve(application_id=application.pk, actor=manager)
    letter = DecisionLetter.objects.get(application=application)
    assert letter.kind == kind and letter.channel == LetterChannel.ELECTRONIC
    assert letter.sent_on == timezone.localdate()
    outbox = Outbox.objects.get(event="decision_made", recipient=applicant)
    assert outbox.context["letter_url"].endswith(reverse("application_letter_download",
                                                         args=[application.pk, letter.pk]))


@pytest.mark.django_db
def test_without_consent_the_letter_waits_on_the_print_and_post_list(client, scheme, applicant, manager, officer):
    application = awarded(scheme, applicant, electronic_consent=False)
    services.application_approve(application_id=application.pk, actor=manager)
    letter = DecisionLetter.objects.get(application=application)
    assert letter.channel == LetterChannel.POST and letter.sent_on is None
    assert Outbox.objects.get(event="decision_made").context["letter_url"] == ""
    client.force_login(officer)
    assert application.reference in client.get(reverse("letter_post_list")).content.decode()
    posted = timezone.localdate()
    client.post(reverse("letter_mark_posted", args=[letter.pk]), {"posted_on": posted.isoformat()})
    letter.refresh_from_db()
    assert letter.sent_on == posted and letter.posted_by == officer
    assert list(client.get(reverse("letter_post_list")).context["letters"]) == []


@pytest.mark.django_db
def test_posting_date_in_the_future_is_refused(scheme, officer):
    letter = DecisionLetterFactory(application__scheme=scheme, by_post=True)
    with pytest.raises(TransitionRefused):
        services.letter_mark_posted(letter_id=letter.pk, actor=officer,
                                    posted_on=timezone.localdate() + datetime.timedelta(days=1))
    letter.refresh_from_db()
    assert letter.sent_on is None


@pytest.mark.django_db
def test_another_municipality_cannot_mark_a_letter_posted(scheme, org_y):
    letter = DecisionLetterFactory(application__scheme=scheme, by_post=True)
    with pytest.raises(TransitionRefused):
        services.letter_mark_posted(letter_id=letter.pk, actor=make_staff(org_y), posted_on=timezone.localdate())


# --- downloads ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_downloads_a_sent_letter_as_an_attachment(client, scheme, applicant):
    letter = DecisionLetterFactory(application__scheme=scheme, application__company=applicant.test_company)
    client.force_login(applicant)
    response = client.get(reverse("application_letter_download", args=[letter.application_id, letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("application_detail", args=[letter.application_id])).content.decode()
    assert "verzonden" in page or "sent" in page


@pytest.mark.django_db
def test_applicant_cannot_download_a_letter_still_to_be_posted(client, scheme, applicant):
    letter = DecisionLetterFactory(application__scheme=scheme, application__company=applicant.test_company,
                                   by_post=True)
    client.force_login(applicant)
    response = client.get(reverse("application_letter_download", args=[letter.application_id, letter.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_letters_of_others_are_a_404(client, scheme, applicant, org_y):
    letter = DecisionLetterFactory(application__scheme=scheme)
    client.force_login(applicant)
    url = reverse("application_letter_download", args=[letter.application_id, letter.pk])
    assert client.get(url).status_code == 404
    client.force_login(make_staff(org_y))
    assert client.get(reverse("case_letter_download", args=[letter.application_id, letter.pk])).status_code == 404


@pytest.mark.django_db
def test_staff_download_and_the_case_page_lists_letters(client, scheme, officer):
    letter = DecisionLetterFactory(application__scheme=scheme, by_post=True)
    client.force_login(officer)
    response = client.get(reverse("case_letter_download", args=[letter.application_id, letter.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("case_detail", args=[letter.application_id])).content.decode()
    assert reverse("case_letter_download", args=[letter.application_id, letter.pk]) in page


@pytest.mark.django_db
def test_print_and_post_list_costs_the_same_for_1_and_50_letters(client, scheme, officer,
                                                                django_assert_num_queries):
    client.force_login(officer)
    DecisionLetterFactory(application__scheme=scheme, by_post=True)
    # session, user, the staff session's second-factor device, the officer's memberships (one query), the letters
    # with their case, company, scheme and municipality (one join), the header's inbox badge.
    with django_assert_num_queries(6) as one:
        assert len(client.get(reverse("letter_post_list")).context["letters"]) == 1
    for _ in range(49):
        DecisionLetterFactory(application__scheme=scheme, by_post=True)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(reverse("letter_post_list")).context["letters"]) == 50


@pytest.mark.django_db
def test_unsaved_text_can_be_previewed_without_a_new_version(client, scheme, applicant, administrator):
    awarded(scheme, applicant)
    client.force_login(administrator)
    url = reverse("manage_letter_template_edit", args=[scheme.pk, "rejection"])
    response = client.post(url, {"body_nl": "Proef: {reason}", "body_en": "Trial: {reason}", "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "Proef: Het subsidieplafond is bereikt." in page
    assert "Trial: Het subsidieplafond is bereikt." in page and not LetterTemplate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
def test_extension_notification_renders_in_both_languages(scheme, officer, language):
    from notifications.services import render_message

    applicant = ApplicantFactory(language=language)
    case = ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant, in_review=True)
    services.application_extend(application_id=case.pk, actor=officer, weeks=3, reason="Advies nodig.")
    row = Outbox.objects.get(event="extension_sent", recipient=applicant)
    subject, text, html = render_message(row)
    assert case.reference in subject and "Advies nodig." in text and "Advies nodig." in html
    assert "/brieven/" in text  # the link to the letter, sent electronically
