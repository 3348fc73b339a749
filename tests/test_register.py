"""The open subsidy register (Woo 3.3a): awards at or above the municipality's threshold, sole
traders never named, streamed CSV and JSON downloads, constant query counts."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from applicants.models import LegalForm
from grants.models import ApplicationState, DecisionOutcome
from tests import factories

pytestmark = pytest.mark.django_db


def award(scheme, amount, **company):
    return factories.ApplicationFactory(
        scheme=scheme, company=factories.CompanyFactory(**company), submitted=True, state=ApplicationState.AWARDED,
        awarded_amount=Decimal(amount), proposed_outcome=DecisionOutcome.AWARD, decided_at=timezone.now(),
        title="Circulaire scan")


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, legal_basis="Subsidieregeling circulair Alphen 2026")


def rows(client, **params):
    return client.get(reverse("subsidy_register"), params).context["rows"]


def test_register_publishes_awards_from_the_municipalitys_threshold(client, scheme, org_x):
    above = award(scheme, "2500.00", name="Boven B.V.")
    award(scheme, "2499.99", name="Onder B.V.")
    factories.ApplicationFactory(scheme=scheme, submitted=True, requested_amount=Decimal("9000"))  # undecided
    assert [row["reference"] for row in rows(client)] == [above.reference]
    org_x.register_threshold = Decimal("1000.00")
    org_x.save()
    assert {row["recipient"] for row in rows(client)} == {"Boven B.V.", "Onder B.V."}


def test_register_row_holds_the_woo_fields(client, scheme):
    application = award(scheme, "12000.00", name="Houtwerk Hergebruik B.V.")
    row = rows(client)[0]
    assert row["legal_basis"] == "Subsidieregeling circulair Alphen 2026"
    assert (row["recipient"], row["activity"], row["amount_granted"]) == (
        "Houtwerk Hergebruik B.V.", "Circulaire scan", "12000.00")
    assert row["decision_date"] == application.decided_at.date().isoformat()
    assert row["municipality"] == "Gemeente Alphen"


def test_sole_traders_are_never_named_in_the_page_or_the_downloads(client, scheme):
    award(scheme, "5000.00", name="Jan Jansen Meubelmakerij", legal_form=LegalForm.SOLE_TRADER,
          kvk_number="69599084")
    page = client.get(reverse("subsidy_register")).content.decode()
    csv_text = b"".join(client.get(reverse("subsidy_register_csv")).streaming_content).decode()
    json_text = b"".join(client.get(reverse("subsidy_register_json")).streaming_content).decode()
    for text in (page, csv_text, json_text):
        assert "Jan Jansen" not in text and "69599084" not in text
    assert json.loads(json_text)[0]["recipient"] is None
    assert json.loads(json_text)[0]["amount_granted"] == "5000.00"


def test_json_download_is_offered_as_a_file_like_the_csv(client, scheme):
    response = client.get(reverse("subsidy_register_json"))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="subsidieregister.json"'
    assert json.loads(b"".join(response.streaming_content)) == []


def test_csv_download_is_streamed_with_every_row(client, scheme):
    for number in range(3):
        award(scheme, "3000.00", name=f"Bedrijf {number} B.V.")
    response = client.get(reverse("subsidy_register_csv"))
    assert isinstance(response, StreamingHttpResponse)
    parsed = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";"))
    assert parsed[0][:4] == ["municipality", "legal_basis", "scheme", "recipient"]
    assert sorted(row[3] for row in parsed[1:]) == ["Bedrijf 0 B.V.", "Bedrijf 1 B.V.", "Bedrijf 2 B.V."]


def test_download_reads_the_rows_in_chunks_not_all_at_once(client, scheme, monkeypatch):
    from grants import register

    for _ in range(5):
        award(scheme, "3000.00")
    chunks = []
    original = type(register.register_awards()).iterator

    def spy(queryset, chunk_size=None):
        chunks.append(chunk_size)
        return original(queryset, chunk_size=chunk_size)

    monkeypatch.setattr(type(register.register_awards()), "iterator", spy)
    monkeypatch.setattr(register, "CHUNK", 2)
    response = client.get(reverse("subsidy_register_json"))
    # Nothing is read before the response is consumed: the body is a generator, not a list of rows.
    assert chunks == []
    assert len(json.loads(b"".join(response.streaming_content))) == 5
    assert chunks == [2]


def test_register_query_count_is_the_same_for_1_and_50_awards(client, scheme, django_assert_num_queries):
    award(scheme, "3000.00")

    def count():
        # the paginator's count, the page's awards with scheme, municipality and company joined;
        # the municipalities of the filter.
        with django_assert_num_queries(3) as captured:
            assert client.get(reverse("subsidy_register")).status_code == 200
        return len(captured.captured_queries)

    one = count()
    for _ in range(49):
        award(scheme, "3000.00")
    assert count() == one


def test_csv_download_never_turns_an_activity_into_a_formula(client, scheme):
    application = award(scheme, "3000.00")
    type(application).objects.filter(pk=application.pk).update(title="=1+1")
    text = b"".join(client.get(reverse("subsidy_register_csv")).streaming_content).decode()
    assert ";'=1+1;" in text
