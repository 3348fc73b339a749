"""Everything the desk holds about one user, for their own export (AVG art. 15 and 20)."""

from django.db.models import Prefetch
from django.utils import timezone

from applicants.models import CompanyMembership
from grants.models import Message
from workflows import access

COMPANY_FIELDS = ("kvk_number", "branch_number", "rsin", "legal_form", "name", "street", "postcode", "city",
                  "sbi_code", "employees", "iban", "contact_email", "contact_phone", "created_at")
APPLICATION_FIELDS = ("reference", "title", "description", "location", "starts_on", "ends_on", "requested_amount",
                      "state", "submitted_at", "decision_due_on", "decided_at", "awarded_amount", "created_at")


def _fields(obj, names):
    return {name: getattr(obj, name) for name in names}


def personal_data_of(user):
    """A dict ready for JSON: the account, the companies the user acts for and their applications (with
    cost lines, answers, messages and attachment names). Six queries, whatever the numbers."""
    memberships = CompanyMembership.objects.filter(user=user).select_related("company").order_by("company__name")
    applications = (
        access.own_applications(user)
        .select_related("scheme", "company")
        .prefetch_related("cost_lines", "answers__question", "attachments",
                          Prefetch("messages", queryset=Message.objects.select_related("author")))
        .order_by("created_at", "pk")
    )
    return {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email, "full_name": user.full_name, "language": user.language,
            "date_joined": user.date_joined, "email_verified_at": user.email_verified_at,
            "last_login": user.last_login,
        },
        "companies": [{"role": m.role, **_fields(m.company, COMPANY_FIELDS)} for m in memberships],
        "applications": [{
            "scheme": app.scheme.title_nl, "company_kvk_number": app.company.kvk_number,
            **_fields(app, APPLICATION_FIELDS),
            "cost_lines": [{"description": c.description, "amount_excl_vat": c.amount_excl_vat, "vat": c.vat,
                            "incurred_on": c.incurred_on} for c in app.cost_lines.all()],
            "answers": [{"question": a.question.label_nl, "answer": a.value} for a in app.answers.all()],
            "messages": [{"at": m.created_at, "from_municipality": m.from_staff, "body": m.body,
                          "author": m.author.full_name if not m.from_staff else ""} for m in app.messages.all()],
            "attachments": [{"file_name": f.original_name, "kind": f.kind, "size": f.size}
                            for f in app.attachments.all()],
        } for app in applications],
    }
