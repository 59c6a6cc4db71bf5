"""Matching's tables, moved from the exchanges app into their own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('exchanges', '0011_reports_month_kind_stripes'),
        ('members', '0004_network_nearby_neighbourhoods'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (made under the exchanges app): only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ListingSkill',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=8)),
                        ('weight', models.FloatField()),
                        ('unit', models.FloatField()),
                        ('expires_on', models.DateField(blank=True, null=True)),
                        ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.skillcategory')),
                        ('listing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='exchanges.listing')),
                        ('network', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.network')),
                        ('owner', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('skill', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.skill')),
                    ],
                    options={
                        'db_table': 'exchanges_listingskill',
                        'indexes': [models.Index(condition=models.Q(('skill__isnull', False)), fields=['network', 'kind', 'skill', '-unit'], include=('listing', 'owner', 'expires_on'), name='matching_ls_skill'), models.Index(condition=models.Q(('skill__isnull', True)), fields=['network', 'kind', 'category', '-unit'], include=('listing', 'owner', 'expires_on'), name='matching_ls_category')],
                    },
                ),
                migrations.CreateModel(
                    name='ProfileSkill',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=8)),
                        ('membership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.membership')),
                        ('network', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.network')),
                        ('skill', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.skill')),
                        ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'exchanges_profileskill',
                        'indexes': [models.Index(fields=['network', 'kind', 'skill', 'membership'], include=('user',), name='matching_ps_skill')],
                    },
                ),
            ],
        ),
    ]
