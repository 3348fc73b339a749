"""Circular vouchers: issue at the award, redeem (approved, returned, resubmitted), payable amount
arithmetic, expiry and its budget release, the once-only extension, limits, reminders (DOMAIN "Voucher
schemes"; issue 8). The ledger reconciles after every path."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from grants.models import (
    Budget,
    LedgerEntry,
    LedgerKind,
    PaymentInstruction,
    PaymentKind,
    ProviderChoice,
    RedemptionOutcome,
    StaffRole,
    Voucher,
    VoucherState,
    VoucherTerms,
)
from grants.services import budget_reconcile, committed_for
from notifications.models import Outbox
from tests import factories
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog
from workflows.services import (
    application_approve,
    batch_approve,
    batch_mark_paid,
    batch_prepare,
    voucher_approve_redemption,
    voucher_extend,
    voucher_mark_paid,
    voucher_return_redemption,
    voucher_submit_redemption,
    vouchers_expire_due,
    vouchers_send_expiry_reminders,
)
from workflows.services.vouchers import (
    CODE_ALPHABET,
    new_voucher_code,
    normalise_code,
    payable_amount,
    voucher_issue,
)

AMS = ZoneInfo("Europe/Amsterdam")
S = VoucherState


def reconciles(scheme):
    return budget_reconcile(Budget.objects.get(scheme=scheme)) == {}


@pytest.fixture(autouse=True)
def english():
    """Refusal messages are matched in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, cofunding_percentage=50, max_awards_per_company=2)


@pytest.fixture
def provider(scheme):
    return factories.ProviderFactory(scheme=scheme, kvk_number="60000001")


@pytest.fixture
def voucher(scheme, provider):
    return factories.issued_voucher(scheme, provider=provider)


@pytest.fixture
def officer(org_x):
    return factories.make_staff(org_x, StaffRole.OFFICER)


@pytest.fixture
def manager(org_x):
    return factories.make_staff(org_x, StaffRole.MANAGER)


@pytest.fixture
def owner(voucher):
    return factories.make_member(voucher.application.company)


def redemption(voucher, **changes):
    data = {"invoice_number": "F-2026-0012", "invoice_date": voucher.issued_on,
            "invoice_provider_kvk": voucher.provider.kvk_number, "amount_excl_vat": Decimal("2400.00"),
            "amount_incl_vat": Decimal("2904.00"),
            "invoice_file": SimpleUploadedFile("factuur.pdf", factories.PDF_BYTES),
            "deliverable_file": SimpleUploadedFile("scan.pdf", factories.PDF_BYTES)}
    return {**data, **changes}


def submitted(voucher, actor, **changes):
    return voucher_submit_redemption(voucher_id=voucher.pk, actor=actor, **redemption(voucher, **changes))


# --- issue --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approving_a_voucher_award_issues_the_voucher(scheme, provider, manager):
    application = factories.ApplicationFactory(scheme=scheme, proposed=True, proposed_amount=Decimal("1500.00"))
    ProviderChoice.objects.create(application=application, provider=provider)
    member = factories.make_member(application.company)
    with time_machine.travel(datetime.datetime(2026, 8, 31, 10, tzinfo=AMS)):
        application_approve(application_id=application.pk, actor=manager)
    voucher = Voucher.objects.get(application=application)
    assert (voucher.state, voucher.cap, voucher.provider) == (S.ISSUED, Decimal("1500.00"), provider)
    assert voucher.valid_until == datetime.date(2027, 2, 28)  # six months, clipped to the month's end
    assert Outbox.objects.filter(event="voucher_issued", recipient=member).exists()
    assert TransitionLog.objects.filter(object_id=voucher.pk, transition="issue", target_state=S.ISSUED).exists()
    assert committed_for(application) == Decimal("1500.00") and reconciles(scheme)


@pytest.mark.django_db
def test_approval_is_refused_without_an_approved_provider(scheme, manager):
    proposed = factories.ProviderFactory(scheme=scheme, proposed=True)
    application = factories.ApplicationFactory(scheme=scheme, proposed=True)
    ProviderChoice.objects.create(application=application, provider=proposed)
    with pytest.raises(TransitionRefused):
        application_approve(application_id=application.pk, actor=manager)
    application.refresh_from_db()
    assert application.state == "proposed" and not Voucher.objects.exists()
    assert not LedgerEntry.objects.filter(application=application, kind=LedgerKind.COMMITMENT).exists()


@pytest.mark.django_db
def test_a_voucher_scheme_without_providers_makes_a_plain_award(scheme, manager):
    application = factories.ApplicationFactory(scheme=scheme, proposed=True)
    application_approve(application_id=application.pk, actor=manager)
    assert not Voucher.objects.exists()


@pytest.mark.django_db
def test_codes_are_readable_random_and_unique():
    codes = {new_voucher_code() for _ in range(2000)}
    assert len(codes) == 2000
    pattern = re.compile(rf"^CV-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
    assert all(pattern.match(code) for code in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_code(" cv 7kq3 m9xt ") == "CV-7KQ3-M9XT"
    assert normalise_code("CV-0000-0000") == "" and normalise_code("x' OR 1=1") == ""


@pytest.mark.django_db
def test_limit_per_company_counts_only_live_vouchers(scheme, provider):
    company = factories.CompanyFactory()
    factories.issued_voucher(scheme, provider=provider, company=company)
    factories.issued_voucher(scheme, provider=provider, company=company, state=S.EXPIRED)
    factories.issued_voucher(scheme, provider=provider, company=company)
    third = factories.awarded_voucher_application(scheme, provider=provider, company=company)
    with pytest.raises(TransitionRefused, match="maximum number of vouchers"):
        voucher_issue(application=third, actor=None)


@pytest.mark.django_db
def test_limit_per_provider_when_the_scheme_sets_one(scheme, provider):
    VoucherTerms.objects.create(scheme=scheme, max_vouchers_per_provider=1)
    factories.issued_voucher(scheme, provider=provider)
    second = factories.awarded_voucher_application(scheme, provider=provider)
    with pytest.raises(TransitionRefused, match="provider already has"):
        voucher_issue(application=second, actor=None)
    other = factories.ProviderFactory(scheme=scheme)
    assert factories.issued_voucher(scheme, provider=other).state == S.ISSUED


@pytest.mark.django_db
def test_terms_set_validity_payee_and_face_value(scheme, provider):
    VoucherTerms.objects.create(scheme=scheme, validity_months=12, payee="company", face_value=True)
    voucher = factories.issued_voucher(scheme, provider=provider)
    assert voucher.payee == "company" and voucher.face_value
    assert (voucher.valid_until - voucher.issued_on).days in (365, 366)


# --- payable amount -----------------------------------------------------------------------------


@pytest.mark.parametrize(("face_value", "eligible", "payable"), [
    (False, "2000.00", "1000.00"),  # 50% of the eligible amount
    (False, "4000.00", "1500.00"),  # capped
    (False, "1234.57", "617.29"),  # half a cent rounds up
    (False, "0.00", "0.00"),
    (True, "800.00", "800.00"),  # a face value pays up to the invoice
    (True, "2000.00", "1500.00"),
])
def test_payable_is_the_lower_of_cap_and_share(face_value, eligible, payable):
    voucher = Voucher(cap=Decimal("1500.00"), cofunding_percentage=50, face_value=face_value)
    result = payable_amount(voucher, Decimal(eligible))
    assert result == Decimal(payable) and isinstance(result, Decimal) and result.as_tuple().exponent == -2


# --- redeem -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_company_submits_the_redemption_and_officers_hear_of_it(voucher, owner, officer):
    submitted(voucher, owner)
    voucher.refresh_from_db()
    assert voucher.state == S.REDEMPTION_SUBMITTED
    assert voucher.redemptions.get().outcome == RedemptionOutcome.PENDING
    assert Outbox.objects.filter(event="voucher_redemption_submitted", recipient=officer).exists()


@pytest.mark.django_db
def test_provider_submits_on_the_applicants_behalf(voucher):
    person = factories.make_provider_user(voucher.provider)
    assert submitted(voucher, person).state == S.REDEMPTION_SUBMITTED


@pytest.mark.django_db
def test_others_may_not_submit_a_redemption(voucher, scheme, officer):
    other_provider = factories.make_provider_user(factories.ProviderFactory(scheme=scheme))
    stranger = factories.ApplicantFactory()
    for actor in (other_provider, stranger, officer):
        with pytest.raises(TransitionRefused):
            submitted(voucher, actor)
    assert not voucher.redemptions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    ({"invoice_date": datetime.date(2020, 1, 1)}, "after the award"),
    ({"invoice_provider_kvk": "69599084"}, "voucher's provider"),
    ({"amount_incl_vat": Decimal("100.00")}, "including VAT"),
    ({"invoice_file": SimpleUploadedFile("factuur.pdf", b"MZ not a pdf")}, "PDF, PNG"),
])
def test_redemption_refused_for_a_wrong_invoice(voucher, owner, changes, message):
    with pytest.raises(TransitionRefused, match=message):
        submitted(voucher, owner, **changes)
    voucher.refresh_from_db()
    assert voucher.state == S.ISSUED and not voucher.redemptions.exists()


@pytest.mark.django_db
def test_invoice_before_the_award_is_fine_when_the_scheme_allows_it(scheme, provider, owner, voucher):
    VoucherTerms.objects.create(scheme=scheme, invoice_after_award=False)
    assert submitted(voucher, owner, invoice_date=datetime.date(2020, 1, 1)).state == S.REDEMPTION_SUBMITTED


@pytest.mark.django_db
def test_returned_redemption_is_corrected_and_resubmitted(voucher, owner, officer):
    submitted(voucher, owner)
    voucher_return_redemption(voucher_id=voucher.pk, actor=officer, reasons="Het scanrapport ontbreekt.")
    voucher.refresh_from_db()
    assert voucher.state == S.RETURNED
    assert Outbox.objects.filter(event="voucher_redemption_returned", recipient=owner).exists()
    submitted(voucher, owner, invoice_number="F-2026-0013")
    assert [r.outcome for r in voucher.redemptions.all()] == [RedemptionOutcome.PENDING, RedemptionOutcome.RETURNED]
    assert Voucher.objects.get(pk=voucher.pk).state == S.REDEMPTION_SUBMITTED


@pytest.mark.django_db
def test_return_needs_reasons_and_an_officer(voucher, owner, officer, manager):
    submitted(voucher, owner)
    with pytest.raises(TransitionRefused):
        voucher_return_redemption(voucher_id=voucher.pk, actor=officer, reasons=" ")
    for actor in (manager, owner):
        with pytest.raises(TransitionRefused):
            voucher_return_redemption(voucher_id=voucher.pk, actor=actor, reasons="Onvolledig.")
    assert Voucher.objects.get(pk=voucher.pk).state == S.REDEMPTION_SUBMITTED


@pytest.mark.django_db
def test_approval_determines_the_amount_releases_the_rest_and_instructs_payment(scheme, voucher, owner, officer):
    submitted(voucher, owner, amount_excl_vat=Decimal("2400.00"))
    voucher = voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)
    assert voucher.state == S.REDEEMED
    assert voucher.determined_amount == voucher.payable_amount == Decimal("1200.00")
    assert voucher.payable_to == voucher.provider.name  # the default payee
    release = LedgerEntry.objects.get(application=voucher.application, kind=LedgerKind.RELEASE)
    assert release.amount == Decimal("300.00") and committed_for(voucher.application) == Decimal("1200.00")
    assert Outbox.objects.filter(event="voucher_redeemed", recipient=owner).exists()
    assert reconciles(scheme)


@pytest.mark.django_db
def test_approval_with_a_lower_eligible_amount_and_company_payee(scheme, provider, officer):
    VoucherTerms.objects.create(scheme=scheme, payee="company")
    voucher = factories.issued_voucher(scheme, provider=provider)
    submitted(voucher, factories.make_member(voucher.application.company), amount_excl_vat=Decimal("4000.00"),
              amount_incl_vat=Decimal("4840.00"))
    with pytest.raises(TransitionRefused):
        voucher_approve_redemption(voucher_id=voucher.pk, actor=officer, eligible_amount=Decimal("4000.01"))
    voucher = voucher_approve_redemption(voucher_id=voucher.pk, actor=officer, eligible_amount=Decimal("1000.00"))
    assert voucher.determined_amount == Decimal("500.00")
    assert (voucher.payable_to, voucher.payable_iban) == (voucher.application.company.name,
                                                          voucher.application.company.iban)
    assert committed_for(voucher.application) == Decimal("500.00") and reconciles(scheme)


@pytest.mark.django_db
def test_full_cap_releases_nothing(voucher, owner, officer):
    submitted(voucher, owner, amount_excl_vat=Decimal("5000.00"), amount_incl_vat=Decimal("6050.00"))
    voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)
    assert not LedgerEntry.objects.filter(application=voucher.application, kind=LedgerKind.RELEASE).exists()


@pytest.mark.django_db
def test_a_redeemed_voucher_is_paid_by_the_payment_batch_that_books_the_money(scheme, voucher, owner, officer,
                                                                               manager, org_y):
    with pytest.raises(TransitionRefused):
        voucher_mark_paid(voucher_id=voucher.pk, actor=manager)  # not redeemed yet
    submitted(voucher, owner)
    voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)
    with pytest.raises(TransitionRefused):
        voucher_mark_paid(voucher_id=voucher.pk, actor=factories.make_staff(org_y, StaffRole.MANAGER))
    instruction = PaymentInstruction.objects.get(award__application=voucher.application)
    assert (instruction.kind, instruction.amount) == (PaymentKind.REMAINDER, Decimal("1200.00"))
    batch = batch_prepare(organisation_id=scheme.organisation_id, instruction_ids=[instruction.pk], actor=officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    assert not LedgerEntry.objects.filter(application=voucher.application, kind=LedgerKind.PAYMENT).exists()
    # An officer may mark the batch paid (handles_batch), and with it the voucher.
    batch_mark_paid(batch_id=batch.pk, actor=officer, paid_on=timezone.localdate())
    assert Voucher.objects.get(pk=voucher.pk).state == S.PAID
    assert LedgerEntry.objects.get(application=voucher.application, kind=LedgerKind.PAYMENT).amount == Decimal("1200")
    assert Budget.objects.get(scheme=scheme).paid == Decimal("1200.00") and reconciles(scheme)


@pytest.mark.django_db
def test_officer_cannot_approve_twice_or_before_submission(voucher, owner, officer):
    with pytest.raises(TransitionRefused):
        voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)
    submitted(voucher, owner)
    voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)
    with pytest.raises(TransitionRefused):
        voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)


@pytest.mark.django_db
def test_an_officer_of_another_municipality_cannot_review(voucher, owner, org_y):
    submitted(voucher, owner)
    with pytest.raises(TransitionRefused):
        voucher_approve_redemption(voucher_id=voucher.pk, actor=factories.make_staff(org_y, StaffRole.OFFICER))


# --- validity -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_expiry_releases_the_budget_once_and_only_after_the_validity(scheme, provider):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=AMS)):
        voucher = factories.issued_voucher(scheme, provider=provider)
    assert voucher.valid_until == datetime.date(2026, 9, 2)
    with time_machine.travel(datetime.datetime(2026, 9, 2, 23, tzinfo=AMS)):
        assert vouchers_expire_due() == []  # the last day of validity
    with time_machine.travel(datetime.datetime(2026, 9, 3, 6, tzinfo=AMS)):
        assert vouchers_expire_due() == [voucher.pk]
        assert vouchers_expire_due() == []
    voucher.refresh_from_db()
    assert voucher.state == S.EXPIRED and committed_for(voucher.application) == 0
    assert LedgerEntry.objects.filter(application=voucher.application, kind=LedgerKind.RELEASE).count() == 1
    assert Budget.objects.get(scheme=scheme).committed == 0 and reconciles(scheme)


@pytest.mark.django_db
def test_a_returned_voucher_expires_too_but_a_submitted_one_does_not(scheme, provider, officer):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 10, tzinfo=AMS)):
        returned = factories.issued_voucher(scheme, provider=provider, state=S.RETURNED)
        pending = factories.issued_voucher(scheme, provider=provider, state=S.REDEMPTION_SUBMITTED)
    with time_machine.travel(datetime.datetime(2026, 8, 1, 10, tzinfo=AMS)):
        assert vouchers_expire_due() == [returned.pk]
    assert Voucher.objects.get(pk=pending.pk).state == S.REDEMPTION_SUBMITTED


@pytest.mark.django_db
def test_officer_extends_once_with_a_reason(voucher, officer, owner):
    later = voucher.valid_until + datetime.timedelta(days=60)
    with pytest.raises(TransitionRefused):
        voucher_extend(voucher_id=voucher.pk, actor=officer, until=later, reason="")
    with pytest.raises(TransitionRefused):
        voucher_extend(voucher_id=voucher.pk, actor=officer, until=voucher.valid_until, reason="Adviseur ziek.")
    with pytest.raises(TransitionRefused):
        voucher_extend(voucher_id=voucher.pk, actor=owner, until=later, reason="Graag langer.")
    extended = voucher_extend(voucher_id=voucher.pk, actor=officer, until=later, reason="Adviseur ziek.")
    assert (extended.valid_until, extended.state, extended.extension_reason) == (later, S.ISSUED, "Adviseur ziek.")
    with pytest.raises(TransitionRefused):  # once only
        voucher_extend(voucher_id=voucher.pk, actor=officer, until=later + datetime.timedelta(days=9), reason="Weer.")
    assert Voucher.objects.get(pk=voucher.pk).valid_until == later
    assert TransitionLog.objects.filter(object_id=voucher.pk, transition="extend").count() == 1


@pytest.mark.django_db
def test_reminders_go_out_30_and_7_days_before_each_once(scheme, provider):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=AMS)):
        voucher = factories.issued_voucher(scheme, provider=provider)  # valid until 2 September
    person = factories.make_provider_user(provider)
    for day, expected in ((2, 0), (3, 1), (4, 0), (27, 1), (28, 0)):  # days of August 2026
        assert vouchers_send_expiry_reminders(today=datetime.date(2026, 8, day)) == expected, day
    keys = set(Outbox.objects.filter(event="voucher_expiring", recipient=person).values_list("dedupe_key", flat=True))
    assert keys == {f"voucher-expiry:{voucher.pk}:30:{person.pk}", f"voucher-expiry:{voucher.pk}:7:{person.pk}"}


@pytest.mark.django_db
def test_vouchers_expiring_selector(scheme, provider):
    from grants.selectors import vouchers_expiring

    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=AMS)):
        voucher = factories.issued_voucher(scheme, provider=provider)
        factories.issued_voucher(scheme, provider=provider, state=S.REDEEMED)
    assert list(vouchers_expiring(on=datetime.date(2026, 8, 3), days=30)) == [voucher]
    assert list(vouchers_expiring(on=datetime.date(2026, 8, 4), days=30)) == []


# --- the demo region ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_region_has_vouchers_in_every_state_and_a_provider_login(client):
    from django.core.management import call_command

    from grants.demo_vouchers import PROVIDER_LOGIN

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    states = set(Voucher.objects.values_list("state", flat=True))
    assert states == set(S.values)
    assert RedemptionOutcome.RETURNED in set(
        Voucher.objects.get(state=S.REDEMPTION_SUBMITTED).redemptions.values_list("outcome", flat=True))
    assert all(reconciles(scheme) for scheme in {v.application.scheme for v in Voucher.objects.all()})
    response = client.post(reverse("login"), {"username": PROVIDER_LOGIN, "password": "demo-Circulair-2026"})
    assert response.status_code == 302  # a provider's person is no staff: no second factor
    assert client.get("/aanbieder/").status_code == 200


# --- integration points -------------------------------------------------------------------------


@pytest.mark.django_db
def test_letter_context_states_code_value_validity_provider_and_payee(voucher):
    from workflows.services import voucher_letter_context

    context = voucher_letter_context(voucher.application)
    assert context["code"] == voucher.code and context["cap"] == Decimal("1500.00")
    assert context["valid_until"] == voucher.valid_until and context["provider"] == voucher.provider.name
    assert context["payee"] == voucher.provider.name and context["cofunding_percentage"] == 50
    assert voucher_letter_context(factories.ApplicationFactory()) is None


@pytest.mark.django_db
def test_the_beat_task_reminds_and_expires(scheme, provider):
    from grants.tasks import voucher_expiry

    factories.make_provider_user(provider)
    with time_machine.travel(datetime.datetime(2026, 1, 5, 10, tzinfo=AMS)):
        old = factories.issued_voucher(scheme, provider=provider)
    with time_machine.travel(datetime.datetime(2026, 6, 10, 10, tzinfo=AMS)):
        soon = factories.issued_voucher(scheme, provider=provider, valid_until=datetime.date(2026, 6, 30))
    with time_machine.travel(datetime.datetime(2026, 7, 6, 4, tzinfo=AMS)):
        assert voucher_expiry() == {"reminded": 0, "expired": 2}
    assert set(Voucher.objects.filter(pk__in=[old.pk, soon.pk]).values_list("state", flat=True)) == {S.EXPIRED}
    with time_machine.travel(datetime.datetime(2026, 6, 1, 4, tzinfo=AMS)):
        fresh = factories.issued_voucher(scheme, provider=provider, valid_until=datetime.date(2026, 6, 25))
        assert voucher_expiry() == {"reminded": 1, "expired": 0}
        assert voucher_expiry() == {"reminded": 0, "expired": 0}
    assert Outbox.objects.filter(event="voucher_expiring", dedupe_key__startswith=f"voucher-expiry:{fresh.pk}:30")


@pytest.mark.django_db
def test_pilot_awards_issue_no_voucher(org_x, manager):
    from grants.models import SchemeKind

    pilot = factories.SchemeFactory(organisation=org_x, kind=SchemeKind.PILOT)
    factories.ProviderFactory(scheme=pilot)
    application = factories.ApplicationFactory(scheme=pilot, proposed=True)
    assert application_approve(application_id=application.pk, actor=manager).state == "awarded"
    assert not Voucher.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.REDEMPTION_SUBMITTED, S.REDEEMED, S.PAID, S.EXPIRED])
def test_redemption_and_extension_refused_outside_issued_and_returned(scheme, provider, officer, state):
    voucher = factories.issued_voucher(scheme, provider=provider, state=state)
    owner = factories.make_member(voucher.application.company)
    with pytest.raises(TransitionRefused):
        submitted(voucher, owner)
    with pytest.raises(TransitionRefused):
        voucher_extend(voucher_id=voucher.pk, actor=officer, until=datetime.date(2099, 1, 1), reason="Later.")
    assert Voucher.objects.get(pk=voucher.pk).state == state


@pytest.mark.django_db
def test_a_valid_voucher_is_not_expired(voucher):
    from workflows.services import voucher_expire

    with pytest.raises(TransitionRefused):
        voucher_expire(voucher_id=voucher.pk)
    assert Voucher.objects.get(pk=voucher.pk).state == S.ISSUED and committed_for(voucher.application) > 0


@pytest.mark.django_db
def test_nobody_expires_a_voucher_by_hand(voucher, officer, manager):
    from django_fsm import has_transition_perm

    assert not any(has_transition_perm(voucher.expire, person) for person in (officer, manager))


@pytest.mark.django_db
def test_provider_payee_gets_the_providers_iban(scheme, officer):
    provider = factories.ProviderFactory(scheme=scheme, iban="NL91ABNA0417164300")
    voucher = factories.issued_voucher(scheme, provider=provider)
    submitted(voucher, factories.make_provider_user(provider))
    voucher = voucher_approve_redemption(voucher_id=voucher.pk, actor=officer)
    assert (voucher.payable_to, voucher.payable_iban) == (provider.name, "NL91ABNA0417164300")
