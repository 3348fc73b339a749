"""Voucher providers: what their people see (only the vouchers to be spent with them), the rate-limited,
logged code lookup, redemption on the applicant's behalf, proposals by applicants approved by officers,
and the administrator's provider admin."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.models import Provider, ProviderChoice, ProviderMembership, StaffRole, VoucherLookup, VoucherState
from tests import factories
from workflows.services import LookupThrottled, voucher_lookup
from workflows.services.vouchers import new_voucher_code


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, max_awards_per_company=5)


@pytest.fixture
def provider(scheme):
    return factories.ProviderFactory(scheme=scheme, name="Scan Partners B.V.")


@pytest.fixture
def person(provider):
    return factories.make_provider_user(provider)


@pytest.fixture
def voucher(scheme, provider):
    return factories.issued_voucher(scheme, provider=provider)


@pytest.fixture
def rival_voucher(org_y):
    """A voucher of another scheme (another municipality), spent with another provider."""
    other = factories.SchemeFactory(organisation=org_y)
    return factories.issued_voucher(other, provider=factories.ProviderFactory(scheme=other, name="Rivaal Advies"))


@pytest.mark.django_db
def test_dashboard_lists_only_the_providers_own_vouchers(client, person, voucher, rival_voucher, scheme):
    same_scheme_other_provider = factories.issued_voucher(scheme)
    client.force_login(person)
    response = client.get(reverse("provider_dashboard"))
    assert response.status_code == 200
    assert voucher.code in response.text
    assert rival_voucher.code not in response.text and same_scheme_other_provider.code not in response.text


@pytest.mark.django_db
def test_provider_cannot_open_another_providers_voucher(client, person, rival_voucher):
    client.force_login(person)
    assert client.get(reverse("voucher_detail", args=[rival_voucher.pk])).status_code == 404
    assert client.get(reverse("voucher_review", args=[rival_voucher.pk])).status_code == 403


@pytest.mark.django_db
def test_dashboard_costs_the_same_queries_for_1_and_50_vouchers(client, person, scheme, provider,
                                                                 django_assert_num_queries):
    factories.issued_voucher(scheme, provider=provider)
    client.force_login(person)
    # session, user, memberships (one query), voucher count, unread inbox
    # count, the page of vouchers (company, scheme, municipality, provider joined)
    with django_assert_num_queries(6):
        client.get(reverse("provider_dashboard"))
    for _ in range(49):
        factories.issued_voucher(scheme, provider=provider, company=factories.CompanyFactory())
    with django_assert_num_queries(6):
        assert client.get(reverse("provider_dashboard")).status_code == 200


@pytest.mark.django_db
def test_lookup_finds_own_codes_only_and_logs_every_try(person, voucher, rival_voucher):
    assert voucher_lookup(user=person, code=voucher.code.lower().replace("-", " ")) == voucher
    assert voucher_lookup(user=person, code=rival_voucher.code) is None
    assert voucher_lookup(user=person, code="'; DROP TABLE --") is None
    logged = list(VoucherLookup.objects.filter(user=person).order_by("pk").values_list("voucher_id", flat=True))
    assert logged == [voucher.pk, None, None]


@pytest.mark.django_db
def test_guessing_codes_is_throttled(settings, person, voucher):
    settings.VOUCHER_LOOKUP_LIMIT = 5
    for _ in range(5):
        assert voucher_lookup(user=person, code=new_voucher_code()) is None
    with pytest.raises(LookupThrottled):
        voucher_lookup(user=person, code=voucher.code)  # even the right code, once over the limit
    assert VoucherLookup.objects.filter(user=person).count() == 5


@pytest.mark.django_db
def test_lookup_page_answers_and_then_refuses(client, settings, person, voucher):
    settings.VOUCHER_LOOKUP_LIMIT = 2
    client.force_login(person)
    url = reverse("provider_dashboard")
    found = client.post(url, {"code": voucher.code})
    assert found.status_code == 200 and reverse("voucher_detail", args=[voucher.pk]) in found.text
    assert client.post(url, {"code": "CV-2222-2222"}).status_code == 200
    throttled = client.post(url, {"code": voucher.code})
    assert throttled.status_code == 429 and 'class="error"' in throttled.text


@pytest.mark.django_db
def test_provider_redeems_on_the_applicants_behalf_through_the_page(client, person, voucher):
    client.force_login(person)
    body = {"invoice_number": "F-77", "invoice_date": timezone.localdate().isoformat(),
            "invoice_provider_kvk": voucher.provider.kvk_number, "amount_excl_vat": "2000.00",
            "amount_incl_vat": "2420.00", "invoice_file": SimpleUploadedFile("f.pdf", factories.PDF_BYTES),
            "deliverable_file": SimpleUploadedFile("scan.pdf", factories.PDF_BYTES)}
    response = client.post(reverse("voucher_detail", args=[voucher.pk]), body)
    assert response.status_code == 302
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.REDEMPTION_SUBMITTED
    assert voucher.redemptions.get().submitted_by == person


@pytest.mark.django_db
def test_wrong_provider_on_the_invoice_is_shown_at_the_field_and_nothing_is_lost(client, voucher):
    owner = factories.make_member(voucher.application.company)
    client.force_login(owner)
    body = {"invoice_number": "F-78", "invoice_date": timezone.localdate().isoformat(),
            "invoice_provider_kvk": "69599084", "amount_excl_vat": "2000.00", "amount_incl_vat": "2420.00",
            "invoice_file": SimpleUploadedFile("f.pdf", factories.PDF_BYTES),
            "deliverable_file": SimpleUploadedFile("scan.pdf", factories.PDF_BYTES)}
    response = client.post(reverse("voucher_detail", args=[voucher.pk]), body)
    assert response.status_code == 400
    assert "id_invoice_provider_kvk_error" in response.text and 'value="F-78"' in response.text
    assert not voucher.redemptions.exists()


@pytest.mark.django_db
def test_applicant_proposes_a_provider_and_an_officer_approves_it(client, scheme, org_x, org_y):
    applicant = factories.ApplicantFactory()
    draft = factories.ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
    client.force_login(applicant)
    response = client.post(reverse("application_provider", args=[draft.pk]), {
        "name": "Groene Scan V.O.F.", "kvk_number": "70145636", "contact_email": "info@groenescan.example.nl"})
    assert response.status_code == 302
    proposed = Provider.objects.get(kvk_number="70145636")
    assert not proposed.is_approved and ProviderChoice.objects.get(application=draft).provider == proposed
    client.force_login(factories.make_staff(org_y, StaffRole.OFFICER))
    assert client.post(reverse("provider_approve", args=[proposed.pk])).status_code == 404
    client.force_login(factories.make_staff(org_x, StaffRole.OFFICER))
    client.post(reverse("provider_approve", args=[proposed.pk]))
    proposed.refresh_from_db()
    assert proposed.is_approved


@pytest.mark.django_db
def test_provider_choice_needs_a_provider_or_a_complete_proposal(client, scheme, provider):
    applicant = factories.ApplicantFactory()
    draft = factories.ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
    client.force_login(applicant)
    url = reverse("application_provider", args=[draft.pk])
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"name": "Half Voorstel"})
    assert response.status_code == 400 and "id_kvk_number_error" in response.text
    assert client.post(url, {"provider": provider.pk}).status_code == 302
    assert ProviderChoice.objects.get(application=draft).provider == provider


@pytest.mark.django_db
def test_administrator_adds_a_person_to_a_provider(client, provider, org_x):
    admin = factories.make_staff(org_x, StaffRole.ADMINISTRATOR)
    colleague = factories.UserFactory(email="adviseur@scan.example.nl")
    client.force_login(admin)
    url = reverse("manage_provider_edit", args=[provider.pk])
    missing = client.post(url, {"member": "1", "email": "niemand@example.nl"})
    assert missing.status_code == 400 and 'value="niemand@example.nl"' in missing.text
    assert client.post(url, {"member": "1", "email": "adviseur@scan.example.nl"}).status_code == 302
    assert ProviderMembership.objects.filter(user=colleague, provider=provider).exists()


@pytest.mark.django_db
def test_officer_review_page_shows_the_payable_amount_after_approval(client, voucher, org_x):
    officer = factories.make_staff(org_x, StaffRole.OFFICER)
    factories.RedemptionFactory(voucher=voucher, amount_excl_vat=Decimal("1000.00"))
    voucher.__dict__["state"] = VoucherState.REDEMPTION_SUBMITTED
    voucher.save()
    client.force_login(officer)
    client.post(reverse("voucher_approve", args=[voucher.pk]), {"eligible_amount": ""})
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.REDEEMED and voucher.determined_amount == Decimal("500.00")
    page = client.get(reverse("voucher_review", args=[voucher.pk]))
    assert "500,00" in page.text


@pytest.mark.django_db
def test_officer_voucher_list_costs_the_same_queries_for_1_and_50(client, scheme, provider, org_x,
                                                                   django_assert_num_queries):
    officer = factories.make_staff(org_x, StaffRole.OFFICER)
    factories.issued_voucher(scheme, provider=provider)
    client.force_login(officer)
    client.get(reverse("voucher_list"))  # warm up the per-process caches (content types)
    # session, user, the second-factor device, memberships (one query), voucher count, page of vouchers
    # with their joins, unread inbox count, the session save (3)
    with django_assert_num_queries(7):
        client.get(reverse("voucher_list"))
    for _ in range(49):
        factories.issued_voucher(scheme, provider=provider, company=factories.CompanyFactory())
    with django_assert_num_queries(7):
        response = client.get(reverse("voucher_list"))
    assert response.status_code == 200 and response.text.count("CV-") >= 50


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("event", ["voucher_issued", "voucher_redemption_submitted", "voucher_redemption_returned",
                                   "voucher_redeemed", "voucher_expiring", "voucher_expired"])
def test_voucher_notifications_render_in_both_languages(voucher, event, language):
    from notifications.models import Outbox
    from notifications.services import render_message
    from workflows.services.vouchers import _context

    row = Outbox(event=event, email="x@example.nl", language=language, url="/vouchers/1/",
                 context={**_context(voucher), "reasons": "Rapport ontbreekt.", "amount": "1200.00", "days": 30})
    subject, text, html = render_message(row)
    assert voucher.code in subject and voucher.code in text and voucher.code in html
    assert "{{" not in text and "{%" not in html


@pytest.mark.django_db
def test_administrator_sets_the_voucher_terms_used_at_the_next_issue(client, scheme, provider, org_x):
    client.force_login(factories.make_staff(org_x, StaffRole.ADMINISTRATOR))
    url = reverse("manage_voucher_terms", args=[scheme.pk])
    assert client.post(url, {"validity_months": "0", "payee": "company"}).status_code == 400
    assert client.post(url, {"validity_months": "12", "payee": "company", "face_value": "on"}).status_code == 302
    voucher = factories.issued_voucher(scheme, provider=provider)
    assert (voucher.payee, voucher.face_value) == ("company", True)
    assert (voucher.valid_until - voucher.issued_on).days in (365, 366)
