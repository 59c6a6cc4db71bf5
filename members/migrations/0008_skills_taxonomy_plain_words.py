"""Load the shipped skills taxonomy again, with the words members use:
- fixing taps and leaks: pipes, burst pipe, boiler, central heating, blocked drain, and a toilet that is blocked,
  leaking or won't flush (no longer the bare word "toilet");
- help getting washed and dressed: help to or going to the toilet, toileting, commode;
- mending clothes: shorten, take up curtains, too long;
- peer support for mental health: anxious, depressed, feeling sad; reading letters: brown envelopes;
  mowing the lawn: grass; help with a new baby says nap instead of "let me sleep", whose only kept word
  ("sleep") read every sleepless night as a baby.
Stored listing skills follow after `manage.py matching_refresh` (the compose `migrate` service runs it)."""

from django.db import migrations


def load(apps, schema_editor):
    from members.taxonomy import taxonomy_load

    taxonomy_load(
        category_model=apps.get_model("members", "SkillCategory"), skill_model=apps.get_model("members", "Skill")
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0007_user_language")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
