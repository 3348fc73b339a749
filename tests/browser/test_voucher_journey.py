"""A voucher is redeemed by its provider (invoice and deliverable uploaded on the voucher page), the officer
returns it once with reasons, the provider corrects and resubmits, the officer approves it, and it is paid
in a payment batch that an officer prepares and a manager approves and marks paid: the voucher ends paid."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from grants.demo_vouchers import PROVIDER_LOGIN
from grants.models import (
    BatchState,
    InstructionState,
    LedgerEntry,
    LedgerKind,
    PaymentInstruction,
    RedemptionOutcome,
    Voucher,
    VoucherState,
)

from .helpers import log_in, log_in_staff, log_out, t

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
RETURN_REASONS = "Het scanrapport ontbreekt: u stuurde de factuur twee keer mee. Stuur het scanrapport als product."


def _fill_redemption(page, voucher, *, excl, incl, invoice, deliverable):
    page.fill("[name=invoice_number]", "SP-2026-031")
    page.fill("[name=invoice_date]", date.today().isoformat())
    page.fill("[name=invoice_provider_kvk]", voucher.provider.kvk_number)
    page.fill("[name=amount_excl_vat]", excl)
    page.fill("[name=amount_incl_vat]", incl)
    page.set_input_files("[name=invoice_file]", str(invoice))
    page.set_input_files("[name=deliverable_file]", str(deliverable))


def test_provider_redeems_officer_returns_then_approves_and_a_batch_pays_it(open_browser, tmp_path):
    call_command("seed_demo", verbosity=0)
    # Bouwkringloop's voucher for its office furnishing scan: issued, EUR 1,500 cap at 50%, to Scan Partners.
    voucher = Voucher.objects.select_related("provider", "application").get(
        state=VoucherState.ISSUED, application__title="Circulaire scan kantoorinrichting")
    assert voucher.provider.memberships.filter(user__email=PROVIDER_LOGIN).exists() and voucher.provider.iban
    assert voucher.cap == Decimal("1500.00") and voucher.cofunding_percentage == 50
    invoice, report = tmp_path / "factuur-SP-2026-031.pdf", tmp_path / "scanrapport-kantoor.pdf"
    invoice.write_bytes(PDF)
    report.write_bytes(PDF)

    # The provider checks the code the entrepreneur gave and submits the redemption, by mistake with the
    # invoice in place of the scan report.
    provider = open_browser("provider")
    log_in(provider, PROVIDER_LOGIN)
    provider.visit("/aanbieder/")
    provider.page.fill("[name=code]", voucher.code.lower().replace("-", " "))
    provider.submit(t("Check code"))
    provider.shot("code-checked")
    provider.follow(t("Open the voucher"))
    assert provider.page.url.endswith(f"/vouchers/{voucher.pk}/")
    _fill_redemption(provider.page, voucher, excl="2800.00", incl="3388.00", invoice=invoice, deliverable=invoice)
    provider.submit(t("Submit redemption"))
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.REDEMPTION_SUBMITTED, provider.page.locator("main").inner_text()[:1500]
    provider.shot("submitted")

    # The officer finds it among the submitted redemptions and returns it with reasons.
    officer = open_browser("officer")
    log_in_staff(officer, "behandelaar@alphen.demo")
    officer.visit("/behandeling/vouchers/?state=redemption_submitted")
    officer.shot("vouchers-to-review")
    officer.follow(voucher.code, exact=True)
    officer.page.fill("[name=reasons]", RETURN_REASONS)
    officer.send("/terugsturen/")
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.RETURNED, officer.page.locator("main").inner_text()[:1500]
    assert voucher.redemptions.get().outcome == RedemptionOutcome.RETURNED

    # The provider reads the reasons on the voucher page, corrects and resubmits.
    provider.visit(f"/vouchers/{voucher.pk}/")
    main = provider.page.locator("main")
    assert RETURN_REASONS in main.inner_text()
    assert main.get_by_role("heading", name=t("Correct and resubmit the redemption")).count() == 1
    provider.shot("returned")
    _fill_redemption(provider.page, voucher, excl="2800.00", incl="3388.00", invoice=invoice, deliverable=report)
    provider.submit(t("Submit redemption"))
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.REDEMPTION_SUBMITTED, provider.page.locator("main").inner_text()[:1500]
    latest = voucher.redemptions.get(outcome=RedemptionOutcome.PENDING)
    assert latest.deliverable_name == "scanrapport-kantoor.pdf"

    # The officer approves the whole invoice: 50% of EUR 2,800 is EUR 1,400, under the EUR 1,500 cap; the
    # other EUR 100 of the commitment returns to the budget.
    officer.visit(f"/behandeling/vouchers/{voucher.pk}/")
    officer.send("/goedkeuren/")
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.REDEEMED, officer.page.locator("main").inner_text()[:1500]
    assert voucher.determined_amount == voucher.payable_amount == Decimal("1400.00")
    assert voucher.payable_to == voucher.provider.name
    assert LedgerEntry.objects.get(application=voucher.application, kind=LedgerKind.RELEASE).amount == Decimal("100.00")
    assert "1.400,00" in officer.page.locator("main").inner_text()
    officer.shot("redeemed")

    # The officer puts its payment instruction in a batch.
    instruction = PaymentInstruction.objects.get(award__application=voucher.application, state=InstructionState.OPEN)
    assert instruction.amount == Decimal("1400.00")
    officer.visit("/betalingen/")
    officer.page.check(f"#instruction-{instruction.pk}")
    assert officer.page.input_value("[name=execution_date]") == date.today().isoformat()  # today by default
    officer.submit(t("Prepare a batch"))
    instruction.refresh_from_db()
    batch = instruction.batch
    assert batch is not None and batch.state == BatchState.PREPARED, officer.page.locator("main").inner_text()[:1500]
    assert officer.page.url.endswith(f"/betalingen/batch/{batch.pk}/")
    assert (instruction.payee_name, instruction.iban) == (voucher.provider.name, voucher.provider.iban)
    # The preparer cannot approve the batch (four-eyes).
    assert officer.page.locator("main form[action$='/goedkeuren/']").count() == 0
    officer.shot("batch-prepared")

    # A manager approves it and, once the bank has transferred it, marks it paid.
    manager = open_browser("manager")
    log_in_staff(manager, "budgethouder@alphen.demo")
    manager.visit(f"/betalingen/batch/{batch.pk}/")
    manager.send("/goedkeuren/")
    batch.refresh_from_db()
    assert batch.state == BatchState.APPROVED, manager.page.locator("main").inner_text()[:1500]
    assert manager.page.input_value("[name=paid_on]") == date.today().isoformat()  # today by default
    manager.send("/betaald/")
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID, manager.page.locator("main").inner_text()[:1500]
    manager.shot("batch-paid")
    instruction.refresh_from_db()
    assert instruction.state == InstructionState.PAID
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.PAID
    payment = LedgerEntry.objects.get(application=voucher.application, kind=LedgerKind.PAYMENT)
    assert payment.amount == Decimal("1400.00")

    # The provider sees the voucher paid.
    provider.visit(f"/vouchers/{voucher.pk}/")
    assert provider.page.locator("main .state").first.inner_text() == t("Paid")
    assert provider.page.locator("main form").count() == 0  # nothing left to submit
    provider.shot("paid")
    log_out(provider)
