"""Payment batches: four-eyes, exports (CSV, SEPA pain.001), marked paid once with its ledger rows;
nothing is paid twice; the IBAN change that takes effect only after a second person confirms it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applicants.models import CompanyMembership
from grants.models import (
    BatchState,
    Budget,
    IbanChangeState,
    InstructionState,
    LedgerEntry,
    LedgerKind,
    PaymentAccount,
    PaymentInstruction,
    PaymentKind,
    StaffRole,
)
from grants.payment_files import batch_csv_text, batch_sepa_bytes
from notifications.models import Outbox
from tests import factories
from workflows.exceptions import TransitionRefused
from workflows.services import (
    batch_approve,
    batch_cancel,
    batch_mark_paid,
    batch_prepare,
    iban_change_cancel,
    iban_change_confirm,
    iban_change_request,
)

pytestmark = pytest.mark.django_db
D = Decimal
NEW_IBAN = "NL69INGB0123456789"


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x)


@pytest.fixture
def officer(org_x):
    return factories.make_staff(org_x, StaffRole.OFFICER)


@pytest.fixture
def manager(org_x):
    return factories.make_staff(org_x, StaffRole.MANAGER)


@pytest.fixture
def awards(scheme, manager):
    return [factories.make_award(scheme, amount, manager=manager) for amount in ("1500.00", "1200.50")]


def open_ids(awards):
    return [award.payment_instructions.get().pk for award in awards]


def prepared(org_x, awards, officer):
    return batch_prepare(organisation_id=org_x.pk, instruction_ids=open_ids(awards), actor=officer)


def test_officer_prepares_and_another_person_approves(org_x, awards, officer, manager):
    batch = prepared(org_x, awards, officer)
    assert batch.state == BatchState.PREPARED
    assert set(batch.instructions.values_list("state", flat=True)) == {InstructionState.BATCHED}
    assert Outbox.objects.filter(event="batch_awaiting_approval", recipient=manager).exists()
    batch = batch_approve(batch_id=batch.pk, actor=manager)
    assert (batch.state, batch.approved_by) == (BatchState.APPROVED, manager)


def test_the_preparer_never_approves_his_own_batch(org_x, awards):
    both = factories.make_staff(org_x, StaffRole.OFFICER)
    from grants.models import StaffMembership

    StaffMembership.objects.create(user=both, organisation=org_x, role=StaffRole.MANAGER)
    batch = prepared(org_x, awards, both)
    with pytest.raises(TransitionRefused):
        batch_approve(batch_id=batch.pk, actor=both)
    batch.refresh_from_db()
    assert batch.state == BatchState.PREPARED


def test_an_officer_cannot_approve_a_batch(org_x, awards, officer):
    other_officer = factories.make_staff(org_x, StaffRole.OFFICER)
    batch = prepared(org_x, awards, officer)
    with pytest.raises(TransitionRefused):
        batch_approve(batch_id=batch.pk, actor=other_officer)


def test_a_manager_cannot_prepare_a_batch(org_x, awards, manager):
    with pytest.raises(TransitionRefused):
        batch_prepare(organisation_id=org_x.pk, instruction_ids=open_ids(awards), actor=manager)


def test_an_instruction_is_in_one_batch_only(org_x, awards, officer):
    prepared(org_x, awards, officer)
    with pytest.raises(TransitionRefused):
        prepared(org_x, awards[:1], officer)
    assert PaymentInstruction.objects.filter(batch__isnull=False).count() == 2


def test_marked_paid_books_one_payment_row_per_instruction(org_x, scheme, awards, officer, manager):
    batch = prepared(org_x, awards, officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    today = timezone.localdate()
    batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=today)
    rows = LedgerEntry.objects.filter(kind=LedgerKind.PAYMENT)
    assert sorted(rows.values_list("amount", flat=True)) == [D("1200.50"), D("1500.00")]
    assert Budget.objects.get(scheme=scheme).paid == D("2700.50")
    assert set(batch.instructions.values_list("state", "paid_on")) == {(InstructionState.PAID, today)}


def test_nothing_is_paid_twice(org_x, scheme, awards, officer, manager):
    batch = prepared(org_x, awards, officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=timezone.localdate())
    with pytest.raises(TransitionRefused):
        batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=timezone.localdate())
    with pytest.raises(TransitionRefused):
        batch_prepare(organisation_id=org_x.pk, instruction_ids=open_ids(awards), actor=officer)
    assert Budget.objects.get(scheme=scheme).paid == D("2700.50")
    assert LedgerEntry.objects.filter(kind=LedgerKind.PAYMENT).count() == 2


def test_a_second_live_instruction_for_the_same_payment_is_refused_by_the_database(awards):
    instruction = awards[0].payment_instructions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstruction.objects.create(award=instruction.award, kind=PaymentKind.REMAINDER, amount=D("1.00"),
                                          payee_name="x", iban=instruction.iban, description="x",
                                          idempotency_key="another-key")


def test_payment_date_in_the_future_is_refused(org_x, awards, officer, manager):
    batch = prepared(org_x, awards, officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    with pytest.raises(TransitionRefused):
        batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=timezone.localdate() + datetime.timedelta(days=1))


def test_a_cancelled_batch_frees_its_instructions(org_x, awards, officer, manager):
    batch = prepared(org_x, awards, officer)
    batch_cancel(batch_id=batch.pk, actor=manager)
    assert set(PaymentInstruction.objects.values_list("state", "batch")) == {(InstructionState.OPEN, None)}
    assert prepared(org_x, awards, officer).instructions.count() == 2


def test_exports_list_each_instruction_once_and_are_the_same_twice(org_x, awards, officer, manager):
    PaymentAccount.objects.create(organisation=org_x, name="Gemeente Alphen", iban="NL91ABNA0417164300")
    batch = prepared(org_x, awards, officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    rows = list(csv.reader(io.StringIO(batch_csv_text(batch)), delimiter=";"))
    assert [row[5] for row in rows[1:]] == ["1500.00", "1200.50"]
    assert batch_csv_text(batch) == batch_csv_text(batch)
    xml = batch_sepa_bytes(batch).decode()
    assert "pain.001.001.03" in xml and "<CtrlSum>2700.50</CtrlSum>" in xml and "<NbOfTxs>2</NbOfTxs>" in xml
    for instruction in batch.instructions.all():
        assert xml.count(f"<EndToEndId>{instruction.end_to_end_id}</EndToEndId>") == 1
    assert f"<MsgId>{batch.reference}</MsgId>" in xml


def test_sepa_export_refused_without_a_payment_account(client, org_x, awards, officer, manager):
    batch = prepared(org_x, awards, officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    client.force_login(manager)
    response = client.get(reverse("payment_batch_export", args=[batch.pk, "xml"]))
    assert response.status_code == 302


def test_batch_pages_prepare_approve_and_pay(client, org_x, awards, officer, manager):
    client.force_login(officer)
    response = client.post(reverse("payment_batch_prepare"),
                           {"instructions": open_ids(awards), "execution_date": timezone.localdate().isoformat()})
    batch = PaymentInstruction.objects.first().batch
    assert response.status_code == 302 and batch is not None
    client.force_login(manager)
    client.post(reverse("payment_batch_approve", args=[batch.pk]))
    assert client.get(reverse("payment_batch_export", args=[batch.pk, "csv"])).status_code == 200
    client.post(reverse("payment_batch_paid", args=[batch.pk]), {"paid_on": timezone.localdate().isoformat()})
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID


def test_prepare_without_a_choice_shows_the_error_at_the_field(client, awards, officer):
    client.force_login(officer)
    response = client.post(reverse("payment_batch_prepare"), {"execution_date": "not a date"})
    assert response.status_code == 400
    assert response.context["prepare_form"].errors.keys() == {"instructions", "execution_date"}


# --- IBAN changes ---------------------------------------------------------------------------------


@pytest.fixture
def owners():
    company = factories.CompanyFactory()
    return (factories.make_member(company, CompanyMembership.Role.OWNER),
            factories.make_member(company, CompanyMembership.Role.OWNER), company)


def test_iban_change_waits_for_another_owner(owners, org_x, scheme, manager, officer):
    first, second, company = owners
    award = factories.make_award(scheme, "1500.00", company=company, manager=manager)
    change = iban_change_request(company_id=company.pk, actor=first, iban=NEW_IBAN)
    company.refresh_from_db()
    assert company.iban == "NL91ABNA0417164300" and change.state == IbanChangeState.PENDING
    assert Outbox.objects.filter(event="iban_change_requested", recipient=second).exists()
    # A batch prepared now still pays the IBAN in effect.
    batch = batch_prepare(organisation_id=org_x.pk, instruction_ids=[award.payment_instructions.get().pk],
                          actor=officer)
    assert batch.instructions.get().iban == "NL91ABNA0417164300"
    with pytest.raises(TransitionRefused):
        iban_change_confirm(change_id=change.pk, actor=first)  # not by the one who asked
    iban_change_confirm(change_id=change.pk, actor=second)
    company.refresh_from_db()
    assert company.iban == NEW_IBAN


def test_iban_change_confirmed_by_an_officer_of_an_awarding_municipality(owners, scheme, manager, officer, org_y):
    first, _second, company = owners
    factories.make_award(scheme, "1500.00", company=company, manager=manager)
    change = iban_change_request(company_id=company.pk, actor=first, iban=NEW_IBAN)
    with pytest.raises(TransitionRefused):
        iban_change_confirm(change_id=change.pk, actor=factories.make_staff(org_y, StaffRole.OFFICER))
    with pytest.raises(TransitionRefused):
        iban_change_confirm(change_id=change.pk, actor=manager)  # a manager is no officer
    iban_change_confirm(change_id=change.pk, actor=officer)
    company.refresh_from_db()
    assert company.iban == NEW_IBAN
    assert PaymentInstruction.objects.get(award__application__company=company).iban == NEW_IBAN


def test_iban_change_refused_for_an_adviser_and_cancelled_by_the_asker(owners):
    first, _second, company = owners
    adviser = factories.make_member(company, CompanyMembership.Role.ADVISER)
    with pytest.raises(TransitionRefused):
        iban_change_request(company_id=company.pk, actor=adviser, iban=NEW_IBAN)
    change = iban_change_request(company_id=company.pk, actor=first, iban=NEW_IBAN)
    with pytest.raises(TransitionRefused):
        iban_change_request(company_id=company.pk, actor=first, iban="NL20INGB0001234567")
    iban_change_cancel(change_id=change.pk, actor=first)
    change.refresh_from_db()
    company.refresh_from_db()
    assert change.state == IbanChangeState.CANCELLED and company.iban == "NL91ABNA0417164300"


def test_iban_page_shows_an_invalid_iban_at_the_field(client, owners):
    first, _second, company = owners
    client.force_login(first)
    response = client.post(reverse("company_iban", args=[company.pk]), {"iban": "NL00 FOUT 0000"})
    assert response.status_code == 400 and "iban" in response.context["form"].errors
    assert response.context["form"]["iban"].value() == "NL00 FOUT 0000"


def test_payments_of_an_award_proposed_for_revocation_wait(org_x, awards, officer):
    from workflows.services import award_propose_revocation

    award_propose_revocation(award_id=awards[0].pk, actor=officer, amount=D("0"), reason="Niet uitgevoerd")
    with pytest.raises(TransitionRefused):
        prepared(org_x, awards, officer)
    assert prepared(org_x, awards[1:], officer).instructions.count() == 1


def test_prepare_form_keeps_the_choice_when_the_date_is_wrong(client, awards, officer):
    client.force_login(officer)
    chosen = awards[1].payment_instructions.get().pk
    response = client.post(reverse("payment_batch_prepare"), {"instructions": [chosen], "execution_date": "2000-01-01"})
    assert response.status_code == 400 and response.context["selected_ids"] == {chosen}
    assert f'value="{chosen}" id="instruction-{chosen}" checked' in response.content.decode()


def test_the_date_fields_show_today_as_their_default(client, org_x, awards, officer, manager):
    """A date input only shows an ISO value: the execution and payment dates come prefilled with today."""
    today = timezone.localdate().isoformat()
    client.force_login(officer)
    page = client.get(reverse("payment_list")).content.decode()
    assert f'type="date" name="execution_date" value="{today}"' in page
    batch = batch_prepare(organisation_id=org_x.pk, instruction_ids=open_ids(awards), actor=officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    client.force_login(manager)
    page = client.get(reverse("payment_batch_detail", args=[batch.pk])).content.decode()
    assert f'type="date" name="paid_on" value="{today}"' in page


def test_an_iban_edited_without_confirmation_is_never_paid(owners, org_x, scheme, manager, officer):
    first, second, company = owners
    award = factories.make_award(scheme, "1500.00", company=company, manager=manager)
    company.iban = NEW_IBAN  # e.g. through a form that bypasses the IBAN change
    company.save()
    batch = batch_prepare(organisation_id=org_x.pk, instruction_ids=[award.payment_instructions.get().pk],
                          actor=officer)
    assert batch.instructions.get().iban == "NL91ABNA0417164300"
    later = factories.make_award(scheme, "1000.00", company=company, manager=manager)
    assert later.payment_instructions.get().iban == "NL91ABNA0417164300"
    change = iban_change_request(company_id=company.pk, actor=first, iban="NL20INGB0001234567")
    iban_change_confirm(change_id=change.pk, actor=second)
    assert later.payment_instructions.get().iban == "NL20INGB0001234567"


# --- concurrency (PostgreSQL only: SQLite serialises every writer anyway) -----------------------------


def _at_once(*targets):
    """Run the targets at the same moment, each on its own connection; returns results or exceptions."""
    import threading

    from django.db import connection

    barrier, results = threading.Barrier(len(targets)), {}

    def run(i, target):
        try:
            barrier.wait()
            results[i] = target()
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [results[i] for i in range(len(targets))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_batching_the_same_payment_at_once_make_one_batch(org_x, scheme, officer, manager):
    from unittest import mock

    from notifications import tasks

    with mock.patch.object(tasks.outbox_deliver, "delay"):
        ids = [factories.make_award(scheme, "1500.00", manager=manager).payment_instructions.get().pk]
        other = factories.make_staff(org_x, StaffRole.OFFICER)
        results = _at_once(*(lambda actor=actor: batch_prepare(organisation_id=org_x.pk, instruction_ids=ids,
                                                               actor=actor) for actor in (officer, other)))
    assert sorted(type(r).__name__ for r in results) == ["PaymentBatch", "TransitionRefused"]
    assert PaymentInstruction.objects.get().batch_id is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_marked_paid_twice_at_once_is_paid_once(org_x, scheme, officer, manager):
    from unittest import mock

    from notifications import tasks

    with mock.patch.object(tasks.outbox_deliver, "delay"):
        award = factories.make_award(scheme, "1500.00", manager=manager)
        batch = batch_prepare(organisation_id=org_x.pk, instruction_ids=[award.payment_instructions.get().pk],
                              actor=officer)
        batch_approve(batch_id=batch.pk, actor=manager)
        today = timezone.localdate()
        results = _at_once(*(lambda: batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=today)
                             for _ in range(2)))
    assert sorted(type(r).__name__ for r in results) == ["PaymentBatch", "TransitionRefused"]
    assert LedgerEntry.objects.filter(kind=LedgerKind.PAYMENT).count() == 1
    assert Budget.objects.get(scheme=scheme).paid == D("1500.00")


def test_a_payment_without_a_valid_iban_is_refused_from_a_batch(org_x):
    from workflows.exceptions import TransitionRefused
    from workflows.services import batch_prepare

    officer = factories.make_staff(org_x, StaffRole.OFFICER)
    award = factories.make_award(factories.SchemeFactory(organisation=org_x, ceiling=Decimal("9000.00")), "1500.00")
    type(award.application.company).objects.filter(pk=award.application.company_id).update(iban="")
    award.payment_instructions.update(iban="")
    instruction = award.payment_instructions.get()

    with pytest.raises(TransitionRefused, match=award.application.reference):
        batch_prepare(organisation_id=org_x.pk, instruction_ids=[instruction.pk], actor=officer)

    instruction.refresh_from_db()
    assert instruction.state == "open" and instruction.batch_id is None
