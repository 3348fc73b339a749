from django.db import migrations

from workflows.append_only import install

forwards, backwards = install("grants_ledgerentry")


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
