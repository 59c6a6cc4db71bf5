"""Load the shipped skills taxonomy again: plumbing gained the words pipes, burst pipe, boiler,
central heating, toilet and blocked drain; mending clothes gained shorten, take up curtains and
too long. Stored listing skills follow after `manage.py matching_refresh`."""

from django.db import migrations


def load(apps, schema_editor):
    from members.taxonomy import taxonomy_load

    taxonomy_load(category_model=apps.get_model("members", "SkillCategory"), skill_model=apps.get_model("members", "Skill"))


class Migration(migrations.Migration):
    dependencies = [("members", "0007_user_language")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
