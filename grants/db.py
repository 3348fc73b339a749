"""SQL that migrations run per database vendor (triggers, functions, trigram indexes)."""


def sql_by_vendor(statements):
    """A RunPython operation running ``statements[vendor]`` (a list of SQL strings) on the migrating
    database; vendors without statements get none. params=None: the "%" and "$$" in trigger bodies
    belong to the SQL, not to the driver's interpolation."""

    def operation(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement, params=None)

    return operation
