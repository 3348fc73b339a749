"""The files a payment batch is handed to the bank and the finance system in: CSV and a SEPA
credit transfer (pain.001.001.03, made with the sepaxml library). Both list each instruction once,
with its stable end-to-end id, so exporting a batch twice never pays anyone twice."""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer

from workflows.exceptions import TransitionRefused

CSV_HEADER = ["end_to_end_id", "reference", "kind", "payee", "iban", "gross_amount", "set_off", "net_amount",
              "description", "execution_date"]


def _instructions(batch):
    return batch.instructions.select_related("award__application").order_by("pk")


def batch_csv_text(batch):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for i in _instructions(batch):
        writer.writerow([i.end_to_end_id, i.award.application.reference, i.kind, i.payee_name, i.iban,
                         f"{i.amount:.2f}", f"{i.set_off_amount:.2f}", f"{i.net_amount:.2f}", i.description,
                         batch.execution_date.isoformat()])
    return out.getvalue()


def batch_csv(batch):
    response = HttpResponse(batch_csv_text(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response


def batch_sepa_bytes(batch):
    """pain.001.001.03 from the municipality's payment account; refused without one."""
    account = getattr(batch.organisation, "payment_account", None)
    if account is None:
        raise TransitionRefused(_("This municipality has no payment account yet: an administrator adds it first."))
    config = {"name": account.name, "IBAN": account.iban, "batch": True, "currency": "EUR"}
    if account.bic:
        config["BIC"] = account.bic
    sepa = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    # The message id is the batch reference, so the bank recognises a file it already received.
    sepa.msg_id = batch.reference
    sepa._xml.find("CstmrCdtTrfInitn/GrpHdr/MsgId").text = batch.reference
    for i in _instructions(batch):
        if i.net_amount <= 0:
            continue  # wholly set off against a recovery: nothing to transfer
        sepa.add_payment({
            "name": i.payee_name[:70], "IBAN": i.iban, "amount": int(i.net_amount * 100),
            "execution_date": batch.execution_date, "description": i.description[:140],
            "endtoend_id": i.end_to_end_id,
        })
    return sepa.export(validate=True)


def batch_sepa_xml(batch):
    response = HttpResponse(batch_sepa_bytes(batch), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.xml"'
    return response
