"""Notifications become an app of their own: their models leave this app's state."""

from django.db import migrations


def content_types_move(apps, schema_editor):
    """Permissions and admin history follow the models to their new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="messaging", model__in=["notification", "notificationpreference"]).update(
        app_label="notifications"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('messaging', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='notificationpreference',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='NotificationPreference',
                ),
            ],
        ),
        migrations.RunPython(content_types_move, migrations.RunPython.noop),
    ]
