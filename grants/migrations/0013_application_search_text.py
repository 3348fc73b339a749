"""Application.search_text: the reference, company name and KvK number in one column, kept by triggers.

PostgreSQL: a BEFORE trigger fills it, upper-cased, on insert and when the reference or company changes; an
AFTER trigger on the company refreshes its applications when its name or number changes; a trigram GIN index on
the bare column serves ``search_text__contains=term.upper()`` (an index on UPPER(search_text) for icontains
gets no usable statistics, and the planner then scans the whole municipality). SQLite: AFTER triggers do the
same without upper-casing (SQLite's upper() knows only ASCII; the search uses icontains there) and it scans.
"""

from django.db import migrations, models

from grants.db import sql_by_vendor

PG_FORWARDS = [
    """CREATE OR REPLACE FUNCTION application_search_text() RETURNS trigger AS $$
    BEGIN
      NEW.search_text := upper(coalesce(
        (SELECT NEW.reference || ' ' || c.name || ' ' || c.kvk_number FROM applicants_company c
         WHERE c.id = NEW.company_id), NEW.reference));
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER application_search_text BEFORE INSERT OR UPDATE OF reference, company_id
    ON grants_application FOR EACH ROW EXECUTE FUNCTION application_search_text()""",
    """CREATE OR REPLACE FUNCTION company_search_text() RETURNS trigger AS $$
    BEGIN
      UPDATE grants_application SET search_text = upper(reference || ' ' || NEW.name || ' ' || NEW.kvk_number)
        WHERE company_id = NEW.id;
      RETURN NULL;
    END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER company_search_text AFTER UPDATE OF name, kvk_number ON applicants_company
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.kvk_number IS DISTINCT FROM NEW.kvk_number)
    EXECUTE FUNCTION company_search_text()""",
    """UPDATE grants_application a SET search_text = upper(a.reference || ' ' || c.name || ' ' || c.kvk_number)
    FROM applicants_company c WHERE c.id = a.company_id""",
    "CREATE INDEX IF NOT EXISTS application_search_trgm ON grants_application USING gin (search_text gin_trgm_ops)",
]
PG_BACKWARDS = [
    "DROP INDEX IF EXISTS application_search_trgm",
    "DROP TRIGGER IF EXISTS company_search_text ON applicants_company",
    "DROP FUNCTION IF EXISTS company_search_text()",
    "DROP TRIGGER IF EXISTS application_search_text ON grants_application",
    "DROP FUNCTION IF EXISTS application_search_text()",
]
SQLITE_TEXT = ("coalesce(NEW.reference || ' ' || (SELECT name || ' ' || kvk_number FROM applicants_company "
               "WHERE id = NEW.company_id), NEW.reference)")
SQLITE_FORWARDS = [
    f"""CREATE TRIGGER application_search_text_insert AFTER INSERT ON grants_application BEGIN
      UPDATE grants_application SET search_text = {SQLITE_TEXT} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER application_search_text_update AFTER UPDATE OF reference, company_id ON grants_application
    BEGIN UPDATE grants_application SET search_text = {SQLITE_TEXT} WHERE id = NEW.id; END""",
    """CREATE TRIGGER company_search_text AFTER UPDATE OF name, kvk_number ON applicants_company
    WHEN OLD.name IS NOT NEW.name OR OLD.kvk_number IS NOT NEW.kvk_number BEGIN
      UPDATE grants_application SET search_text = reference || ' ' || NEW.name || ' ' || NEW.kvk_number
        WHERE company_id = NEW.id; END""",
    """UPDATE grants_application SET search_text = coalesce(reference || ' ' ||
    (SELECT name || ' ' || kvk_number FROM applicants_company WHERE id = grants_application.company_id), reference)""",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS company_search_text",
    "DROP TRIGGER IF EXISTS application_search_text_update",
    "DROP TRIGGER IF EXISTS application_search_text_insert",
]


class Migration(migrations.Migration):

    dependencies = [
        ("applicants", "0003_application_form"),
        ("grants", "0012_register_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="search_text",
            field=models.CharField(default="", editable=False, max_length=250),
        ),
        migrations.RunPython(
            sql_by_vendor({"postgresql": PG_FORWARDS, "sqlite": SQLITE_FORWARDS}),
            sql_by_vendor({"postgresql": PG_BACKWARDS, "sqlite": SQLITE_BACKWARDS}),
        ),
    ]
