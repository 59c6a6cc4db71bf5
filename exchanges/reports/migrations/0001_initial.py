"""Reports' tables, moved from the exchanges app into their own."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('members', '0004_network_nearby_neighbourhoods'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (made under the exchanges app): only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RollupCategorySpan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('category_pk', models.BigIntegerField(default=0)),
                        ('user_pk', models.BigIntegerField()),
                        ('block', models.IntegerField()),
                        ('months_mask', models.BigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'exchanges_rollupcategoryspan',
                        'indexes': [models.Index(fields=['network_pk', 'block', 'category_pk'], name='rollup_span_block'), models.Index(fields=['network_pk', 'category_pk', 'user_pk', 'block'], include=('months_mask',), name='rollup_span_people')],
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'category_pk', 'user_pk', 'block'), name='rollup_category_span_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupMemberCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('month', models.DateField()),
                        ('category_pk', models.BigIntegerField(default=0)),
                        ('user_pk', models.BigIntegerField()),
                        ('exchanges', models.BigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'exchanges_rollupmembercategory',
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'month', 'category_pk', 'user_pk'), name='rollup_member_category_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupMemberMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('month', models.DateField()),
                        ('user_pk', models.BigIntegerField()),
                        ('given_minutes', models.BigIntegerField(default=0)),
                        ('received_minutes', models.BigIntegerField(default=0)),
                        ('given_count', models.BigIntegerField(default=0)),
                        ('received_count', models.BigIntegerField(default=0)),
                        ('last_exchange_at', models.DateTimeField(null=True)),
                    ],
                    options={
                        'db_table': 'exchanges_rollupmembermonth',
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'month', 'user_pk'), name='rollup_member_month_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupMemberSpan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('user_pk', models.BigIntegerField()),
                        ('block', models.IntegerField()),
                        ('gave_mask', models.BigIntegerField(default=0)),
                        ('received_mask', models.BigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'exchanges_rollupmemberspan',
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'block', 'user_pk'), name='rollup_member_span_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupMonthKind',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('month', models.DateField()),
                        ('kind', models.CharField(max_length=10)),
                        ('category_pk', models.BigIntegerField(default=0)),
                        ('stripe', models.SmallIntegerField(db_default=0)),
                        ('minutes', models.BigIntegerField(default=0)),
                        ('transfers', models.BigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'exchanges_rollupmonthkind',
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'month', 'kind', 'category_pk', 'stripe'), name='rollup_month_kind_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupPair',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('user_low', models.BigIntegerField()),
                        ('user_high', models.BigIntegerField()),
                        ('first_month', models.DateField()),
                        ('exchanges', models.BigIntegerField(default=0)),
                        ('transfers', models.BigIntegerField(db_default=0, default=0)),
                    ],
                    options={
                        'db_table': 'exchanges_rolluppair',
                        'indexes': [models.Index(fields=['network_pk', 'first_month'], name='rollup_pair_first')],
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'user_low', 'user_high'), name='rollup_pair_key'), models.CheckConstraint(condition=models.Q(('user_low__lt', models.F('user_high'))), name='rollup_pair_ordered')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupPairMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('network_pk', models.BigIntegerField()),
                        ('month', models.DateField()),
                        ('new_pairs', models.BigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'exchanges_rolluppairmonth',
                        'constraints': [models.UniqueConstraint(fields=('network_pk', 'month'), name='rollup_pair_month_key')],
                    },
                ),
                migrations.CreateModel(
                    name='WellbeingCheckin',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('consent', models.BooleanField(default=False)),
                        ('skipped', models.BooleanField(default=False)),
                        ('life_satisfaction', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('worthwhile', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('happiness', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('anxiety', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('lack_companionship', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('left_out', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('isolated', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='wellbeing_checkins', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'exchanges_wellbeingcheckin',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['network', 'user', 'created_at'], name='exchanges_w_network_f0e3cd_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('life_satisfaction__lte', 10), ('life_satisfaction__isnull', True), _connector='OR'), name='wb_ls_range'), models.CheckConstraint(condition=models.Q(('worthwhile__lte', 10), ('worthwhile__isnull', True), _connector='OR'), name='wb_w_range'), models.CheckConstraint(condition=models.Q(('happiness__lte', 10), ('happiness__isnull', True), _connector='OR'), name='wb_h_range'), models.CheckConstraint(condition=models.Q(('anxiety__lte', 10), ('anxiety__isnull', True), _connector='OR'), name='wb_a_range'), models.CheckConstraint(condition=models.Q(models.Q(('lack_companionship__gte', 1), ('lack_companionship__lte', 3)), ('lack_companionship__isnull', True), _connector='OR'), name='wb_lc_range'), models.CheckConstraint(condition=models.Q(models.Q(('left_out__gte', 1), ('left_out__lte', 3)), ('left_out__isnull', True), _connector='OR'), name='wb_lo_range'), models.CheckConstraint(condition=models.Q(models.Q(('isolated__gte', 1), ('isolated__lte', 3)), ('isolated__isnull', True), _connector='OR'), name='wb_i_range')],
                    },
                ),
            ],
        ),
    ]
