"""Safeguarding's tables, moved from the members app into their own (the tables stay)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('members', '0004_network_nearby_neighbourhoods'),
        ('exchanges', '0012_matching_reports_own_apps'),
        ('messaging', '0002_notifications_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Concern',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('happened_offline', models.BooleanField(default=False)),
                        ('description', models.TextField(max_length=5000)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=10)),
                        ('resolution', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('about_conversation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='messaging.conversation')),
                        ('about_exchange', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='exchanges.exchange')),
                        ('about_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='members.network')),
                        ('raised_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='concerns_raised', to=settings.AUTH_USER_MODEL)),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'members_concern',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='SafeguardingCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reference', 'Reference'), ('dbs', 'DBS check'), ('driving_licence', 'Driving licence'), ('insurance', 'Car insurance')], max_length=20)),
                        ('referee', models.CharField(blank=True, max_length=120)),
                        ('dbs_level', models.CharField(blank=True, max_length=20)),
                        ('certificate_number', models.CharField(blank=True, max_length=30)),
                        ('decision', models.CharField(choices=[('pending', 'Pending'), ('clear', 'Clear'), ('accepted', 'Accepted after review'), ('refused', 'Refused')], default='pending', max_length=10)),
                        ('checked_on', models.DateField()),
                        ('review_on', models.DateField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('membership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checks', to='members.membership')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='members.network')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'members_safeguardingcheck',
                        'ordering': ['review_on'],
                    },
                ),
            ],
        ),
    ]
