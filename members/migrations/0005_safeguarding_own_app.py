"""Safeguarding becomes an app of its own: its models leave this app's state."""

from django.db import migrations


def content_types_move(apps, schema_editor):
    """Permissions and admin history follow the models to their new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="members", model__in=["safeguardingcheck", "concern"]).update(
        app_label="safeguarding"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('safeguarding', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('members', '0004_network_nearby_neighbourhoods'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='safeguardingcheck',
                    name='membership',
                ),
                migrations.RemoveField(
                    model_name='safeguardingcheck',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='safeguardingcheck',
                    name='recorded_by',
                ),
                migrations.DeleteModel(
                    name='Concern',
                ),
                migrations.DeleteModel(
                    name='SafeguardingCheck',
                ),
            ],
        ),
        migrations.RunPython(content_types_move, migrations.RunPython.noop),
    ]
