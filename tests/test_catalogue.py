"""The public catalogue: home, scheme list and scheme page with their essentials, the live budget
indicator and the eligibility conditions in plain language."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from grants.models import SchemeKind
from grants.services import budget_reserve
from grants.views.public import AVAILABLE, EXHAUSTED, NEARLY_EXHAUSTED, budget_status
from tests.factories import ApplicationFactory, SchemeFactory

TODAY = timezone.localdate()
CLOSED = {"opens_on": TODAY - datetime.timedelta(days=400), "closes_on": TODAY - datetime.timedelta(days=35)}
UPCOMING = {"opens_on": TODAY + datetime.timedelta(days=10), "closes_on": TODAY + datetime.timedelta(days=100)}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.django_db
@pytest.mark.parametrize(("ceiling", "reserved", "status"), [
    ("82740.00", "0", AVAILABLE),
    ("82740.00", "74466.01", NEARLY_EXHAUSTED),  # below 10% of the ceiling
    ("30000.00", "28000.01", NEARLY_EXHAUSTED),  # below one maximum award (EUR 2,000)
    ("82740.00", "82740.00", EXHAUSTED),
], ids=["available", "under-10-percent", "under-the-maximum", "exhausted"])
def test_budget_status_follows_the_reservations(org_x, ceiling, reserved, status):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal(ceiling))
    if Decimal(reserved):
        budget_reserve(application=ApplicationFactory(scheme=scheme), amount=Decimal(reserved))
    scheme.budget.refresh_from_db()

    assert budget_status(scheme) == status


@pytest.mark.django_db
def test_scheme_list_shows_the_essentials_of_open_schemes(client, org_x):
    scheme = SchemeFactory(organisation=org_x, title_en="Circular scan voucher", max_amount=Decimal("2500.00"),
                           cofunding_percentage=40, closes_on=datetime.date(2099, 12, 31))

    response = client.get(reverse("scheme_list"))

    page = response.content.decode()
    assert response.context["open"] == [scheme]
    for essential in ("Circular scan voucher", "Gemeente Alphen", scheme.get_kind_display(), "EUR 1,000.00",
                      "EUR 2,500.00", "40%", "2099", str(AVAILABLE.label)):
        assert essential in page, essential


@pytest.mark.django_db
def test_closed_and_upcoming_schemes_are_listed_apart_from_the_open_ones(client, org_x):
    open_scheme = SchemeFactory(organisation=org_x)
    closed, upcoming = SchemeFactory(organisation=org_x, **CLOSED), SchemeFactory(organisation=org_x, **UPCOMING)

    response = client.get(reverse("scheme_list"))

    assert (response.context["open"], response.context["closed"], response.context["upcoming"]) == (
        [open_scheme], [closed], [upcoming])
    page = response.content.decode()
    assert page.index(open_scheme.title) < page.index('id="closed-schemes"') < page.index(closed.title)


@pytest.mark.django_db
def test_exhausted_budget_is_shown_in_words_and_with_its_own_symbol(client, org_x):
    SchemeFactory(organisation=org_x, ceiling=Decimal("0.00"))

    page = client.get(reverse("scheme_list")).content.decode()

    assert f'<span aria-hidden="true">{EXHAUSTED.symbol}</span> {EXHAUSTED.label}' in page
    assert EXHAUSTED.symbol not in (AVAILABLE.symbol, NEARLY_EXHAUSTED.symbol)


@pytest.mark.django_db
def test_scheme_list_costs_the_same_queries_for_1_and_20_schemes(client, org_x, django_assert_num_queries):
    SchemeFactory(organisation=org_x)
    # the schemes with their municipality and budget
    with django_assert_num_queries(1):
        client.get(reverse("scheme_list"))
    SchemeFactory.create_batch(9, organisation=org_x)
    SchemeFactory.create_batch(5, organisation=org_x, **CLOSED)
    SchemeFactory.create_batch(5, organisation=org_x, ceiling=Decimal("0.00"))
    with django_assert_num_queries(1):
        response = client.get(reverse("scheme_list"))
    assert len(response.context["open"]) + len(response.context["closed"]) == 20


@pytest.mark.django_db
def test_home_shows_open_schemes_with_budget_and_links_the_check(client, org_x, django_assert_num_queries):
    scheme = SchemeFactory(organisation=org_x)
    SchemeFactory(organisation=org_x, **CLOSED)

    # the open schemes with their municipality and budget
    with django_assert_num_queries(1):
        response = client.get(reverse("home"))

    page = response.content.decode()
    assert list(response.context["schemes"]) == [scheme]
    assert str(AVAILABLE.label) in page and reverse("eligibility_check") in page


@pytest.mark.django_db
def test_scheme_list_links_the_eligibility_check(client):
    assert reverse("eligibility_check") in client.get(reverse("scheme_list")).content.decode()


@pytest.mark.django_db
def test_scheme_page_lists_the_eligibility_conditions_in_plain_language(client, org_x, org_y):
    scheme = SchemeFactory(
        organisation=org_x, kind=SchemeKind.CHAIN, max_employees=50, allowed_legal_forms=["bv", "vof"],
        excluded_sbi_codes="64,65", min_partners=3, max_partners=6, min_business_partners=2, required_rung="R3",
        require_rung_up=True, required_attachments=["quote"], costs_after_application_only=True,
    )
    scheme.eligible_municipalities.add(org_x, org_y)

    conditions = client.get(reverse("scheme_detail", args=[scheme.pk])).context["conditions"]

    text = " ".join(conditions)
    for part in ("Gemeente Alphen, Gemeente Gouda", "at most 50 employees", "Private limited company (bv)",
                 "General partnership (vof)", "starts with 64, 65", "3 to 6 participants", "At least 2",
                 "R3 Reuse", "climbs at least one rung", "Quote from the provider", "after you apply"):
        assert part in text, part


@pytest.mark.django_db
def test_scheme_page_without_settings_names_the_own_municipality(client, org_x):
    scheme = SchemeFactory(organisation=org_x, costs_after_application_only=False)

    response = client.get(reverse("scheme_detail", args=[scheme.pk]))

    assert response.context["conditions"] == ["Your company is located in Gemeente Alphen.",
                                              "A company can receive this scheme once."]
    assert str(AVAILABLE.label) in response.content.decode()


@pytest.mark.django_db
def test_closed_scheme_page_says_it_is_closed(client, org_x):
    scheme = SchemeFactory(organisation=org_x, **CLOSED)

    response = client.get(reverse("scheme_detail", args=[scheme.pk]))

    assert response.status_code == 200 and not response.context["is_open"]
    assert "This scheme is not open for applications." in response.content.decode()


@pytest.mark.django_db
def test_unknown_scheme_is_a_404(client):
    assert client.get(reverse("scheme_detail", args=[987654])).status_code == 404
