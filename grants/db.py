"""SQL the ORM does not write for us: what migrations run per database vendor (triggers, functions, trigram
indexes), the EXISTS flags of the case page and the queue's search planned for its values."""

from contextlib import contextmanager
from functools import cache

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL


def sql_by_vendor(statements):
    """A RunPython operation running ``statements[vendor]`` (a list of SQL strings) on the migrating
    database; vendors without statements get none. params=None: the "%" and "$$" in trigger bodies
    belong to the SQL, not to the driver's interpolation."""

    def operation(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement, params=None)

    return operation


def has_rows(model, field, outer_model, outer_field="pk"):
    """An annotation: does ``model`` have a row whose ``field`` equals this ``outer_model`` row's ``outer_field``?

    The same as ``Exists(model.objects.filter(field=OuterRef(outer_field)))``, but its SQL is written once per
    process: Django builds and compiles each Exists anew on every request (~0.5 ms each, six on the case page).
    The outer table is named by its table name, as Django names a query's base table."""
    return RawSQL(_has_rows_sql(model, field, outer_model, outer_field), (), output_field=BooleanField())


@cache
def _has_rows_sql(model, field, outer_model, outer_field):
    name = connection.ops.quote_name
    table, outer_table = name(model._meta.db_table), name(outer_model._meta.db_table)
    column = name(model._meta.get_field(field).column)
    outer = outer_model._meta.pk if outer_field == "pk" else outer_model._meta.get_field(outer_field)
    return f"EXISTS (SELECT 1 FROM {table} WHERE {table}.{column} = {outer_table}.{name(outer.column)})"


@contextmanager
def planned_for_their_values():
    """The statements of this block are planned by PostgreSQL for the values they run with: not prepared.

    Statements are prepared (settings: DB_PREPARED_STATEMENTS), and after five runs of one PostgreSQL may
    switch to a generic plan that does not know the parameters. For a search pattern that plan guesses a
    handful of hits, so it collects and sorts every match of a common word before taking the first page
    (7-10 ms for "hout" among 20,000 cases) instead of walking the due-date index until the page is full
    (1.5 ms, with 0.3 ms of planning). Only this connection's setting changes, and only for the block; other
    databases prepare nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold
