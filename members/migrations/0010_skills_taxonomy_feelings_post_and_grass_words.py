"""Load the shipped skills taxonomy again: peer support for mental health gained anxious, depressed and
feeling sad; reading letters gained brown envelopes; mowing the lawn gained the bare word grass; help
with a new baby says nap instead of "let me sleep", whose only kept word ("sleep") read every sleepless
night as a baby. Stored listing skills follow after `manage.py matching_refresh`."""

from django.db import migrations


def load(apps, schema_editor):
    from members.taxonomy import taxonomy_load

    taxonomy_load(
        category_model=apps.get_model("members", "SkillCategory"), skill_model=apps.get_model("members", "Skill")
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0009_skills_taxonomy_toileting_words")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
