"""The audit trail: who viewed, downloaded, changed or exported a case, its personal data and its money.

``record`` writes one row with one INSERT (content types come from Django's in-process cache), so
the case page keeps its speed. Rows are append-only (database triggers). ``case_trail`` merges a
case's audit rows with its transition log (state changes) and ledger rows (money) into one
chronological list: the export a manager hands over for a Woo request.
"""

import csv
import io
import json

from django.contrib.contenttypes.models import ContentType

from .models import AuditAction, AuditEvent, TransitionLog

FIELDS = ("at", "source", "action", "actor", "actor_email", "subject", "detail")


def _ip(request):
    from applicants.ratelimit import client_address

    address = client_address(request)
    return address if address and address != "unknown" else None


def record(request, *, action, subject, case=None, detail=""):
    """Write one audit row for ``subject`` (any model instance) by the request's user.

    ``case`` is the application the subject belongs to (the subject itself for a case page)."""
    user = request.user if request.user.is_authenticated else None
    return record_by(user, action=action, subject=subject, case=case, detail=detail, ip_address=_ip(request))


def record_by(actor, *, action, subject, case=None, detail="", ip_address=None):
    """The same row outside a request (a scheduled job: ``actor`` None)."""
    return AuditEvent.objects.create(
        actor=actor, action=action, content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk, case_id=getattr(case, "pk", case), detail=str(detail)[:300], ip_address=ip_address,
    )


def viewed(request, subject, *, case=None, detail=""):
    return record(request, action=AuditAction.VIEWED, subject=subject, case=case, detail=detail)


def downloaded(request, subject, *, case=None, detail=""):
    return record(request, action=AuditAction.DOWNLOADED, subject=subject, case=case, detail=detail)


def changed(request, subject, *, case=None, detail=""):
    return record(request, action=AuditAction.CHANGED, subject=subject, case=case, detail=detail)


def _person(user):
    return (user.full_name or user.email, user.email) if user is not None else ("", "")


def case_trail(application):
    """Every audit row, state change and ledger row of one case, oldest first (three queries)."""
    rows = []
    for event in AuditEvent.objects.filter(case_id=application.pk).select_related("actor", "content_type"):
        name, email = _person(event.actor)
        rows.append({
            "at": event.at, "source": "audit", "action": event.action, "actor": name, "actor_email": email,
            "subject": f"{event.content_type.model} {event.object_id}", "detail": event.detail,
        })
    app_type = ContentType.objects.get_for_model(application)
    for log in TransitionLog.objects.filter(content_type=app_type, object_id=application.pk).select_related("actor"):
        name, email = _person(log.actor)
        rows.append({
            "at": log.created_at, "source": "transition", "action": log.transition, "actor": name,
            "actor_email": email, "subject": f"application {application.pk}",
            "detail": f"{log.source_state} -> {log.target_state}",
        })
    for entry in application.ledger_entries.select_related("created_by"):
        name, email = _person(entry.created_by)
        rows.append({
            "at": entry.created_at, "source": "ledger", "action": entry.kind, "actor": name, "actor_email": email,
            "subject": f"application {application.pk}", "detail": f"EUR {entry.amount}",
        })
    rows.sort(key=lambda row: row["at"])
    return rows


def as_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        # A leading =, +, - or @ would be a formula in a spreadsheet: quote it away (CSV injection).
        writer.writerow({key: _safe_cell(value) for key, value in row.items()})
    return out.getvalue()


def _safe_cell(value):
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_json(rows):
    return json.dumps([{**row, "at": row["at"].isoformat()} for row in rows], ensure_ascii=False, indent=1)
