"""Platform administrators set a scheme's ceiling in the admin; it goes through the budget service."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Budget, LedgerEntry, LedgerKind
from grants.services import budget_reserve
from tests.factories import ApplicationFactory, SchemeFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _post(client, scheme, ceiling):
    url = reverse("admin:grants_scheme_change", args=[scheme.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"budget_ceiling": ceiling, "allowed_legal_forms": "[]", "required_attachments": "[]",
                 "budget-TOTAL_FORMS": "0", "budget-INITIAL_FORMS": "0",
                 "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0"})
    data.pop("eligible_municipalities", None)
    return client.post(url, data)


@pytest.mark.django_db
def test_raising_the_ceiling_writes_a_ledger_entry(admin_client, org_x):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))
    response = _post(admin_client, scheme, "12500.00")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Budget.objects.get(scheme=scheme).ceiling == Decimal("12500.00")
    change = LedgerEntry.objects.filter(budget__scheme=scheme, kind=LedgerKind.CEILING_CHANGE).last()
    assert change.amount == Decimal("2500.00")


@pytest.mark.django_db
def test_ceiling_below_reservations_is_refused_at_the_field(admin_client, org_x):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))
    budget_reserve(application=ApplicationFactory(scheme=scheme, submitted=True), amount=Decimal("6000"))
    response = _post(admin_client, scheme, "5000.00")
    assert response.status_code == 200
    assert "budget_ceiling" in response.context["adminform"].form.errors
    assert Budget.objects.get(scheme=scheme).ceiling == Decimal("10000.00")
