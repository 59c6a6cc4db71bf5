"""The ledger becomes an app of its own: its models leave this app's state."""

from django.db import migrations


def content_types_move(apps, schema_editor):
    """Permissions and admin history follow the models to their new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label="exchanges", model__in=["account", "transfer", "transferfeed", "hold", "idempotencyrecord"]
    ).update(app_label="ledger")


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0015_transfer_feed'),
        ('ledger', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='transfer',
                    name='to_account',
                ),
                migrations.RemoveField(
                    model_name='hold',
                    name='account',
                ),
                migrations.RemoveField(
                    model_name='transfer',
                    name='from_account',
                ),
                migrations.RemoveField(
                    model_name='hold',
                    name='exchange',
                ),
                migrations.RemoveField(
                    model_name='hold',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='idempotencyrecord',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='transfer',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='transfer',
                    name='exchange',
                ),
                migrations.RemoveField(
                    model_name='transfer',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='transfer',
                    name='on_behalf_of',
                ),
                migrations.RemoveField(
                    model_name='transfer',
                    name='reverses',
                ),
                migrations.RemoveField(
                    model_name='transferfeed',
                    name='transfer',
                ),
                migrations.RemoveField(
                    model_name='transferfeed',
                    name='network',
                ),
                migrations.DeleteModel(
                    name='Account',
                ),
                migrations.DeleteModel(
                    name='Hold',
                ),
                migrations.DeleteModel(
                    name='IdempotencyRecord',
                ),
                migrations.DeleteModel(
                    name='Transfer',
                ),
                migrations.DeleteModel(
                    name='TransferFeed',
                ),
            ],
        ),
        migrations.RunPython(content_types_move, migrations.RunPython.noop),
    ]
