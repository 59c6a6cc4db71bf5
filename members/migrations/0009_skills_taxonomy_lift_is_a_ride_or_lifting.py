"""Load the shipped skills taxonomy again: "lift" alone is no longer a word of lifting and carrying, nor
"no lift" (whose only kept word is "lift") of carrying shopping upstairs, which now knows a lift that is
broken. A lift is usually a ride; the words around it say when it is lifting ("help me lift a wardrobe").
Stored listing skills follow after `manage.py matching_refresh` (the compose `migrate` service runs it)."""

from django.db import migrations


def load(apps, schema_editor):
    from members.taxonomy import taxonomy_load

    taxonomy_load(
        category_model=apps.get_model("members", "SkillCategory"), skill_model=apps.get_model("members", "Skill")
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0008_skills_taxonomy_plain_words")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
