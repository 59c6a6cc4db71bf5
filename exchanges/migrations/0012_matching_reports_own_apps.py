"""Matching and reports become apps of their own: their models leave this app's state."""

from django.db import migrations

MOVED = {
    "matching": ["listingskill", "profileskill"],
    "reports": [
        "rollupcategoryspan", "rollupmembercategory", "rollupmembermonth", "rollupmemberspan",
        "rollupmonthkind", "rolluppair", "rolluppairmonth", "wellbeingcheckin",
    ],
}


def content_types_move(apps, schema_editor):
    """Permissions and admin history follow the models to their new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for label, models in MOVED.items():
        ContentType.objects.filter(app_label="exchanges", model__in=models).update(app_label=label)


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0011_reports_month_kind_stripes'),
        ('matching', '0001_initial'),
        ('reports', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # The tables stay; matching's and reports' own migrations have taken them over.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='listingskill',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='listingskill',
                    name='listing',
                ),
                migrations.RemoveField(
                    model_name='listingskill',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='listingskill',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='listingskill',
                    name='skill',
                ),
                migrations.RemoveField(
                    model_name='profileskill',
                    name='membership',
                ),
                migrations.RemoveField(
                    model_name='profileskill',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='profileskill',
                    name='skill',
                ),
                migrations.RemoveField(
                    model_name='profileskill',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='RollupCategorySpan',
                ),
                migrations.DeleteModel(
                    name='RollupMemberCategory',
                ),
                migrations.DeleteModel(
                    name='RollupMemberMonth',
                ),
                migrations.DeleteModel(
                    name='RollupMemberSpan',
                ),
                migrations.DeleteModel(
                    name='RollupMonthKind',
                ),
                migrations.DeleteModel(
                    name='RollupPair',
                ),
                migrations.DeleteModel(
                    name='RollupPairMonth',
                ),
                migrations.RemoveField(
                    model_name='wellbeingcheckin',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='wellbeingcheckin',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='ListingSkill',
                ),
                migrations.DeleteModel(
                    name='ProfileSkill',
                ),
                migrations.DeleteModel(
                    name='WellbeingCheckin',
                ),
            ],
        ),
        migrations.RunPython(content_types_move, migrations.RunPython.noop),
    ]
