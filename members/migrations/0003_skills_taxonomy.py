"""Load the shipped skills taxonomy."""

from django.db import migrations


def load(apps, schema_editor):
    from members.taxonomy import taxonomy_load

    taxonomy_load(category_model=apps.get_model("members", "SkillCategory"), skill_model=apps.get_model("members", "Skill"))


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
