"""Load the shipped skills taxonomy again: help to the toilet (and the loo, toileting, a commode) is
personal care, help getting washed and dressed; plumbing keeps only the toilet's faults (blocked toilet,
toilet won't flush, leaking toilet, cistern, seat, fix the toilet), not the bare word "toilet". Stored
listing skills follow after `manage.py matching_refresh`."""

from django.db import migrations


def load(apps, schema_editor):
    from members.taxonomy import taxonomy_load

    taxonomy_load(
        category_model=apps.get_model("members", "SkillCategory"), skill_model=apps.get_model("members", "Skill")
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0008_skills_taxonomy_plumbing_and_mending_words")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
