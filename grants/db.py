"""SQL the ORM does not write for us: what migrations run per database vendor (triggers, functions, trigram
indexes), the EXISTS flags of the case page, its wide query compiled once and the queue's search planned for
its values."""

import copy
from contextlib import contextmanager
from functools import cache

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
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


def fetch_with_sql_written_once(queryset, *, shape):
    """``list(queryset)``, with its SELECT and FROM compiled once per process instead of on every run.

    For a wide select_related query whose WHERE values alone change between runs (the case page's: ten joined
    models, 216 columns), compiling the column list and the joins costs ~2 ms a request, several times running
    the query. Here only the WHERE clause is compiled on each run; the first run of a ``shape`` (the caller's
    name for one fixed SELECT: the same select_related, annotations and ordering on every call) with a given
    WHERE text (the same filters, as many values in each IN list, the same limits) keeps the statement and the
    compiler that describes its columns, and later runs reuse them with their own values. Only the WHERE clause
    may carry values: a query with values elsewhere (an annotation with parameters) is compiled and run as
    usual, every time. The rows are built by Django's own model iterable, so select_related, annotations and
    prefetch_related behave as with ``list(queryset)``."""
    queryset = queryset.all()
    query = queryset.query
    try:
        where_sql, where_params = query.get_compiler(queryset.db).compile(query.where)
    except EmptyResultSet:
        return []
    except FullResultSet:
        where_sql, where_params = "", ()
    key = (shape, queryset.model, repr(query.select_related), tuple(query.annotations), query.order_by,
           where_sql, query.low_mark, query.high_mark, queryset.db)
    written = _written_statements.get(key)
    if written is None:
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        if list(params) != list(where_params):
            return list(queryset)
        written = _written_statements[key] = (compiler, sql)
        while len(_written_statements) > 256:  # a bound: the WHERE texts are few, but nothing grows without end
            _written_statements.pop(next(iter(_written_statements)))
    compiler, sql = written
    run = copy.copy(compiler)
    # This thread's connection and query: the kept compiler names those of the thread that wrote the statement.
    run.query, run.connection = query, connections[queryset.db]
    run.as_sql = lambda *args, **kwargs: (sql, where_params)
    query.get_compiler = lambda *args, **kwargs: run
    return list(queryset)


_written_statements = {}
