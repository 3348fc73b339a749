"""Bulk loading for the scale data set (``manage.py seed_scale``): rows as dicts, ids assigned here so that
related rows can point at each other without reading anything back, written with COPY on PostgreSQL and
executemany on SQLite. Only for generated test data: nothing here runs the domain's services."""

from datetime import UTC, datetime

from django.db import connection, models, transaction

NOW = datetime.now(UTC)


class Loader:
    """Collects rows per model and writes them in batches. ``next_id(model)`` hands out primary keys."""

    def __init__(self, batch=20_000):
        self.batch = batch
        self.rows = {}
        self.ids = {}
        self.counts = {}

    def next_id(self, model):
        if model not in self.ids:
            self.ids[model] = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0)
        self.ids[model] += 1
        return self.ids[model]

    def add(self, model, **values):
        """Queue one row; returns its primary key (assigned here unless given)."""
        if "id" not in values:
            values["id"] = self.next_id(model)
        self.rows.setdefault(model, []).append(values)
        if len(self.rows[model]) >= self.batch:
            self.flush(model)
        return values["id"]

    def flush(self, model=None):
        for each in [model] if model else list(self.rows):
            rows = self.rows.pop(each, [])
            if rows:
                _write(each, rows)
                self.counts[each] = self.counts.get(each, 0) + len(rows)

    def finish(self):
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in self.counts:
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )

    def vacuum(self, *also):
        """After the commit: VACUUM ANALYZE so the planner knows the data and index-only scans work. Inside an
        outer transaction (a test's) VACUUM cannot run: ANALYZE only."""
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in [*self.counts, *also]:
                    cursor.execute(f'{command} "{model._meta.db_table}"')


def _column_values(model, rows):
    fields = [f for f in model._meta.concrete_fields]
    columns = [f.column for f in fields]
    prepared = []
    for row in rows:
        values = []
        for field in fields:
            key = field.attname if field.attname in row else field.name
            if key in row:
                value = row[key]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = NOW
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = ""
            values.append(field.get_db_prep_save(value, connection))
        prepared.append(values)
    return columns, prepared


def _write(model, rows):
    columns, values = _column_values(model, rows)
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            quoted = ", ".join(f'"{c}"' for c in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', values)


