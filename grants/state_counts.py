"""Applications per municipality and state, read from the delta rows the database triggers keep
(ApplicationStateCount, migration 0014) rather than counted over the applications themselves."""

from django.db import connection, transaction
from django.db.models import Sum

from .models import ApplicationStateCount


def per_state(organisation_ids):
    """{state: number of applications} over ``organisation_ids``; drafts are not counted."""
    rows = (
        ApplicationStateCount.objects.filter(organisation_id__in=organisation_ids)
        .values("state").annotate(total=Sum("n")).order_by()
    )
    return {row["state"]: row["total"] for row in rows}


def compact():
    """Fold the delta rows into one row per municipality and state (beat runs this every few minutes).

    PostgreSQL: one statement deletes the rows its snapshot sees and inserts their sums, so rows written
    meanwhile by transactions that had not committed stay as they are and nothing is counted twice or lost.
    SQLite: the write lock taken at BEGIN (transaction_mode IMMEDIATE) keeps every writer out meanwhile.
    Returns the number of rows folded."""
    table = ApplicationStateCount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} RETURNING organisation_id, state, n), "
                f"folded AS (INSERT INTO {table} (organisation_id, state, n) "
                "SELECT organisation_id, state, SUM(n) FROM gone GROUP BY organisation_id, state HAVING SUM(n) <> 0) "
                "SELECT COUNT(*) FROM gone"
            )
            return cursor.fetchone()[0]
        sums = list(ApplicationStateCount.objects.values("organisation_id", "state").annotate(total=Sum("n")))
        folded = ApplicationStateCount.objects.all().delete()[0]
        ApplicationStateCount.objects.bulk_create(
            ApplicationStateCount(organisation_id=row["organisation_id"], state=row["state"], n=row["total"])
            for row in sums if row["total"]
        )
        return folded
