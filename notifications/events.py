"""The notification events: each has templates in templates/notifications/<event>/ (subject.txt,
body.txt, body.html) rendered in the recipient's language, channels, and a preference category.

``legal_effect`` events (information requests, decisions, extensions, objection decisions, recovery)
always go out immediately, whatever the recipient chose: a legal term may start with them. So do
account messages (category ACCOUNT). Other events follow the recipient's NotificationPreference
for their category: immediately, or the email in the daily digest (the inbox item at once).

``municipal`` events are about one municipality's case, scheme, award, voucher or payment batch: notify()
refuses them without that municipality, which scopes the administrators' operations page. The others
(``municipal=False``) concern an account or a company, not one municipality, and are for the platform's
superusers only.
"""

from dataclasses import dataclass

from .models import Category


@dataclass(frozen=True)
class Event:
    inbox: bool = True
    email: bool = True
    legal_effect: bool = False  # always sent immediately, never held for a digest
    category: str = Category.CASE_PROGRESS
    municipal: bool = True  # its rows carry the municipality (Outbox.organisation)

    @property
    def immediate(self):
        """True when no preference may hold this event's email for a digest."""
        return self.legal_effect or self.category == Category.ACCOUNT


EVENTS = {
    "verify_email": Event(inbox=False, category=Category.ACCOUNT, municipal=False),
    "password_reset": Event(inbox=False, category=Category.ACCOUNT, municipal=False),
    "application_submitted": Event(),
    "application_received": Event(),
    "info_requested": Event(legal_effect=True),
    "info_supplied": Event(),
    "proposal_awaiting_approval": Event(),
    "proposal_sent_back": Event(),
    "decision_made": Event(legal_effect=True),
    "extension_sent": Event(legal_effect=True),
    "application_withdrawn": Event(),
    # Sent to an address that may have no account yet: email only.
    "company_invitation": Event(inbox=False, category=Category.ACCOUNT, municipal=False),
    "message_received": Event(category=Category.MESSAGES),
    # Reminders (notifications/reminders.py and the apps' reminders.py modules).
    "decision_due_soon": Event(category=Category.REMINDERS),
    "decision_overdue": Event(category=Category.REMINDERS),
    "repair_due_soon": Event(category=Category.REMINDERS),
    # The daily digest itself: one email collecting the held ones; their inbox items exist already.
    "digest": Event(inbox=False, category=Category.ACCOUNT, municipal=False),
    # Objections (bezwaar, Awb chapters 6-7): grounds requests, invitations and decisions have legal effect.
    "objection_lodged": Event(),
    "objection_decision_proposed": Event(),
    "objection_grounds_requested": Event(legal_effect=True),
    "hearing_scheduled": Event(legal_effect=True),
    "objection_decided": Event(legal_effect=True),
    # Awards and payments (workflows/services/awards.py, payments.py).
    "award_determined": Event(legal_effect=True),
    "award_revoked": Event(legal_effect=True),
    "revocation_awaiting_approval": Event(),
    "batch_awaiting_approval": Event(),
    # A company's bank account is paid by every municipality that awarded it, so its change concerns
    # no single one: another municipality's administrator must not learn of the company's awards elsewhere.
    "iban_change_requested": Event(legal_effect=True, municipal=False),
    "iban_change_confirmed": Event(legal_effect=True, municipal=False),
    "payment_made": Event(),
    "recovery_due": Event(legal_effect=True),
    "case_assigned": Event(),
    # Pilot grants after the award (workflows.services.pilots).
    "pilot_report_submitted": Event(),
    "pilot_report_decided": Event(),
    "pilot_report_due": Event(),
    "change_request_submitted": Event(),
    "change_request_decided": Event(),
    "final_report_accepted": Event(),
    # Vouchers (workflows/services/vouchers.py): to the company and the provider's people, or the officers.
    "voucher_issued": Event(),
    "voucher_redemption_submitted": Event(),
    "voucher_redemption_returned": Event(),
    "voucher_redeemed": Event(),
    "voucher_expiring": Event(),
    "voucher_expired": Event(),
}

# Categories a user may set to the digest (ACCOUNT is never held).
CONFIGURABLE_CATEGORIES = [c for c in Category if c != Category.ACCOUNT]
