"""Retention: anonymise applications whose retention period ended, and an applicant's own data export."""

import functools
import operator
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from grants.models import Answer, Application, ApplicationState, CostLine, Message
from workflows import audit
from workflows.models import AuditAction

from .models import DEFAULT_AWARDED_YEARS, DEFAULT_UNSUCCESSFUL_YEARS, Anonymisation, RetentionPolicy

ANONYMISED_TITLE = "[geanonimiseerd / anonymised]"
UNSUCCESSFUL = (ApplicationState.REJECTED, ApplicationState.NOT_CONSIDERED, ApplicationState.WITHDRAWN)
RULES = (
    # (rule, final states, RetentionPolicy field, default years)
    ("unsuccessful", UNSUCCESSFUL, "unsuccessful_years", DEFAULT_UNSUCCESSFUL_YEARS),
    ("awarded", (ApplicationState.AWARDED,), "awarded_years", DEFAULT_AWARDED_YEARS),
)


def years_before(moment, years):
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year - years, day=28)


def applications_due(*, now):
    """(application, rule) pairs whose retention ended: one query per rule and distinct policy term.

    An application ended at its decision, or (withdrawn, never decided) at its last change."""
    terms = list(RetentionPolicy.objects.values_list("scheme_id", "unsuccessful_years", "awarded_years"))
    with_policy = [scheme_id for scheme_id, *_ in terms]
    for rule, states, field, default in RULES:
        by_years = defaultdict(list)
        for scheme_id, unsuccessful_years, awarded_years in terms:
            by_years[unsuccessful_years if field == "unsuccessful_years" else awarded_years].append(scheme_id)
        conditions = [Q(scheme_id__in=ids, ended__lte=years_before(now, years)) for years, ids in by_years.items()]
        conditions.append(~Q(scheme_id__in=with_policy) & Q(ended__lte=years_before(now, default)))
        due = (
            Application.objects.filter(state__in=states, anonymisation__isnull=True)
            .annotate(ended=Coalesce("decided_at", "updated_at"))
            .filter(functools.reduce(operator.or_, conditions))
            .order_by("pk")
        )
        for application in due.iterator(chunk_size=500):
            yield application, rule


def application_anonymise(*, application, rule, now):
    """Remove the personal data of one application: its texts, answers, messages and files. Kept: the
    reference, scheme, company, state, amounts and dates (the budget ledger and the decision's existence
    stay provable). Writes the Anonymisation marker and an audit row in the same transaction; the files
    are deleted after commit, so a rollback never loses a file of a case that was kept."""
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            title=ANONYMISED_TITLE, description="", location="", proposal_motivation="",
        )
        Message.objects.filter(application=application).update(body="")
        Answer.objects.filter(application=application).update(value="")
        CostLine.objects.filter(application=application).update(description="")
        files = []
        for attachment in application.attachments.all():
            files.append((attachment.file.storage, attachment.file.name))
            attachment.delete()
        Anonymisation.objects.create(application=application, anonymised_at=now, rule=rule)
        audit.record_by(None, action=AuditAction.CHANGED, subject=application, case=application,
                        detail=f"anonymised ({rule} retention ended)")
        transaction.on_commit(functools.partial(_delete_files, files), robust=True)


def _delete_files(files):
    for storage, name in files:
        storage.delete(name)


def retention_apply(*, now=None):
    """Anonymise every application whose retention period ended. Idempotent; returns how many."""
    now = now or timezone.now()
    count = 0
    for application, rule in list(applications_due(now=now)):
        application_anonymise(application=application, rule=rule, now=now)
        count += 1
    return count
