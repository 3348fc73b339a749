"""The notification events: each has templates in templates/notifications/<event>/ (subject.txt,
body.txt, body.html) rendered in the recipient's language, and channels."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    inbox: bool = True
    email: bool = True
    legal_effect: bool = False  # always sent immediately, never held for a digest


EVENTS = {
    "verify_email": Event(inbox=False),
    "password_reset": Event(inbox=False),
    "application_submitted": Event(),
    "application_received": Event(),
    "info_requested": Event(legal_effect=True),
    "info_supplied": Event(),
    "proposal_awaiting_approval": Event(),
    "proposal_sent_back": Event(),
    "decision_made": Event(legal_effect=True),
    "application_withdrawn": Event(),
    # Sent to an address that may have no account yet: email only.
    "company_invitation": Event(inbox=False),
    "message_received": Event(),
    # Vouchers (workflows/services/vouchers.py): to the company and the provider's people, or the officers.
    "voucher_issued": Event(),
    "voucher_redemption_submitted": Event(),
    "voucher_redemption_returned": Event(),
    "voucher_redeemed": Event(),
    "voucher_expiring": Event(),
    "voucher_expired": Event(),
}
