"""The audit trail: case views, downloads, company changes and exports are recorded, append-only, and a
manager exports a case's whole trail for a Woo request."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import StaffRole
from grants.services import budget_reserve
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    AttachmentFactory,
    CompanyFactory,
    SchemeFactory,
    make_staff,
)
from workflows import audit, services
from workflows.models import AuditAction, AuditEvent


@pytest.fixture
def case(org_x):
    scheme = SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))
    return ApplicationFactory(scheme=scheme, submitted=True)


@pytest.fixture
def manager(org_x):
    return make_staff(org_x, StaffRole.MANAGER)


@pytest.mark.django_db
def test_viewing_a_case_writes_one_row_with_one_insert(client, case, org_x):
    officer = make_staff(org_x)
    client.force_login(officer)
    client.get(reverse("case_detail", args=[case.pk]))  # warms the content-type cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    audit_writes = [q["sql"] for q in queries.captured_queries if "workflows_auditevent" in q["sql"]]
    assert len(audit_writes) == 1 and audit_writes[0].startswith("INSERT")
    event = AuditEvent.objects.filter(action=AuditAction.VIEWED).last()
    assert (event.actor, event.case_id, event.object_id, event.ip_address) == (officer, case.pk, case.pk, "127.0.0.1")


@pytest.mark.django_db
def test_a_case_that_is_not_yours_is_a_404_and_not_recorded(client, case, org_y):
    client.force_login(make_staff(org_y))
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_attachment_download_is_recorded(client, case, org_x):
    attachment = AttachmentFactory(application=case, original_name="jaarrekening.pdf")
    officer = make_staff(org_x)
    client.force_login(officer)
    response = client.get(reverse("case_attachment_download", args=[case.pk, attachment.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (event.actor, event.case_id, event.object_id, event.detail) == (
        officer, case.pk, attachment.pk, "jaarrekening.pdf")


@pytest.mark.django_db
def test_a_voucher_invoice_download_is_recorded_against_the_redemption_and_its_case(client, org_x):
    from grants.models import VoucherState
    from tests.factories import ProviderFactory, RedemptionFactory, issued_voucher

    scheme = SchemeFactory(organisation=org_x)
    voucher = issued_voucher(scheme, provider=ProviderFactory(scheme=scheme), state=VoucherState.REDEMPTION_SUBMITTED)
    redemption = RedemptionFactory(voucher=voucher, submitted_by=ApplicantFactory())
    officer = make_staff(org_x)
    client.force_login(officer)
    response = client.get(reverse("voucher_file", args=[voucher.pk, redemption.pk, "invoice"]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (event.actor, event.case_id, event.object_id, event.content_type.model, event.detail) == (
        officer, voucher.application_id, redemption.pk, "redemption", "factuur.pdf")


@pytest.mark.django_db
def test_a_company_change_records_which_fields_but_not_the_iban(client):
    company = CompanyFactory()
    owner = ApplicantFactory(company=company)
    client.force_login(owner)
    data = {field: getattr(company, field) for field in (
        "kvk_number", "branch_number", "rsin", "legal_form", "name", "street", "postcode", "city", "sbi_code",
        "employees", "contact_email", "contact_phone")}
    data["iban"] = "NL02ABNA0123456789"
    data["municipality"] = company.municipality_id or ""
    response = client.post(reverse("company_edit", args=[company.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    event = AuditEvent.objects.get(action=AuditAction.CHANGED)
    assert event.actor == owner and event.case_id is None
    assert "iban" in event.detail and "NL02" not in event.detail


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted(case, org_x):
    officer = make_staff(org_x)
    event = AuditEvent.objects.create(actor=officer, action=AuditAction.VIEWED, content_type_id=1,
                                      object_id=case.pk, case_id=case.pk)
    # The trigger aborts the statement; the savepoint keeps the test's transaction usable.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="nothing to see")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


@pytest.mark.django_db
def test_a_manager_exports_views_state_changes_and_money_as_csv(client, case, manager, org_x):
    officer = make_staff(org_x)
    budget_reserve(application=case, amount=Decimal("1500.00"), actor=officer)
    services.application_start_review(application_id=case.pk, actor=officer)
    client.force_login(officer)
    client.get(reverse("case_detail", args=[case.pk]))
    client.force_login(manager)
    response = client.get(reverse("case_audit_export", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="audit-{case.reference}-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(row["source"], row["action"]) for row in rows} >= {
        ("ledger", "reservation"), ("transition", "start_review"), ("audit", "viewed")}
    assert any(row["actor_email"] == officer.email for row in rows)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED, actor=manager, case_id=case.pk).exists()


@pytest.mark.django_db
def test_the_export_as_json(client, case, manager):
    client.force_login(manager)
    response = client.get(reverse("case_audit_export", args=[case.pk]) + "?format=json")
    assert response["Content-Type"].startswith("application/json")
    rows = json.loads(response.content)
    assert rows[-1]["action"] == "exported" and rows[-1]["actor_email"] == manager.email


@pytest.mark.django_db
def test_officers_and_other_municipalities_cannot_export(client, case, org_x, org_y):
    for user in (make_staff(org_x), make_staff(org_y, StaffRole.MANAGER)):
        client.force_login(user)
        assert client.get(reverse("case_audit_export", args=[case.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_csv_cells_that_look_like_formulas_are_defused():
    text = audit.as_csv([{"at": "2026-01-01", "source": "audit", "action": "changed", "actor": "=HYPERLINK(1)",
                          "actor_email": "@x", "subject": "-1", "detail": "+2"}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["actor"], row["actor_email"], row["subject"], row["detail"]) == ("'=HYPERLINK(1)", "'@x", "'-1", "'+2")


@pytest.mark.django_db
@pytest.mark.parametrize("views", [1, 50])
def test_export_costs_the_same_queries_for_1_and_50_rows(client, case, manager, org_x, views,
                                                        django_assert_num_queries):
    officer = make_staff(org_x)
    for _ in range(views):
        AuditEvent.objects.create(actor=officer, action=AuditAction.VIEWED, content_type_id=1, object_id=case.pk,
                                  case_id=case.pk)
    client.force_login(manager)
    client.get(reverse("case_audit_export", args=[case.pk]))  # warms the content-type cache
    # session, user, second factor's device, memberships (one query), the case, the export's own audit row, audit rows
    # with actors and content types, transition log with actors, ledger rows with their creators
    with django_assert_num_queries(9):
        response = client.get(reverse("case_audit_export", args=[case.pk]))
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == views + 2
