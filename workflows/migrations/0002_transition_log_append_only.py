from django.db import migrations

from workflows.append_only import install

forwards, backwards = install("workflows_transitionlog")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
