"""Notifications as kind + parameters with their first words kept as a fallback (old rows stay readable),
copies relayed for a supported member (`about`, `relayed_from`), and a person's preferences: language, push,
email digest (daily, weekly or off: a daily digest turned off becomes off), SMS."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def digest_from_daily(apps, schema_editor):
    Preference = apps.get_model("notifications", "NotificationPreference")
    Preference.objects.filter(daily_digest=False).update(email_digest="off")


def daily_from_digest(apps, schema_editor):
    Preference = apps.get_model("notifications", "NotificationPreference")
    Preference.objects.filter(email_digest="off").update(daily_digest=False)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_tables_named_for_the_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='about',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='notification',
            name='relayed_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='relays', to='notifications.notification'),
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='email_digest',
            field=models.CharField(choices=[('daily', 'Daily'), ('weekly', 'Weekly'), ('off', 'Off')], default='daily', max_length=6),
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='language',
            field=models.CharField(choices=[('en-gb', 'English'), ('cy', 'Cymraeg')], default='en-gb', max_length=5),
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='push',
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='sms',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='weekly_sent_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='notification',
            name='text',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(digest_from_daily, daily_from_digest),
        migrations.RemoveField(
            model_name='notificationpreference',
            name='daily_digest',
        ),
    ]
