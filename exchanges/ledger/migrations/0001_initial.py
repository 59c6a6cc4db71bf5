"""The ledger's tables, moved from the exchanges app into its own: only the state moves; the tables, their
names, keys and triggers stay as they are."""

import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('exchanges', '0015_transfer_feed'),
        ('members', '0005_safeguarding_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Transfer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('minutes', models.BigIntegerField()),
                        ('kind', models.CharField(choices=[('exchange', 'Exchange'), ('gift', 'Gift'), ('donation', 'Donation to the pot'), ('grant', 'Grant from the pot'), ('issue', 'Issued'), ('adjustment', 'Adjustment'), ('reversal', 'Reversal')], max_length=10)),
                        ('memo', models.CharField(blank=True, max_length=200)),
                        ('reason', models.CharField(blank=True, max_length=500)),
                        ('idempotency_key', models.CharField(blank=True, max_length=100, null=True)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('exchange', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='exchanges.exchange')),
                    ],
                    options={
                        'db_table': 'exchanges_transfer',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Account',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('member', 'Member'), ('pot', 'Network pot'), ('issuance', 'Issuance')], max_length=8)),
                        ('balance', models.BigIntegerField(default=0)),
                        ('held', models.BigIntegerField(default=0)),
                        ('floor', models.BigIntegerField(default=0)),
                        ('floor_reason', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('membership', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='account', to='members.membership')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='accounts', to='members.network')),
                    ],
                    options={
                        'db_table': 'exchanges_account',
                    },
                ),
                migrations.CreateModel(
                    name='Hold',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('minutes', models.BigIntegerField()),
                        ('placed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('released_at', models.DateTimeField(blank=True, null=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='ledger.account')),
                        ('exchange', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='exchanges.exchange')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='members.network')),
                    ],
                    options={
                        'db_table': 'exchanges_hold',
                    },
                ),
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100)),
                        ('request_hash', models.CharField(max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField(null=True)),
                        ('response', models.JSONField(null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'exchanges_idempotencyrecord',
                    },
                ),
                migrations.CreateModel(
                    name='TransferFeed',
                    fields=[
                        ('transfer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='ledger.transfer')),
                    ],
                    options={
                        'db_table': 'exchanges_transferfeed',
                    },
                ),
                migrations.AddField(
                    model_name='transfer',
                    name='from_account',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_out', to='ledger.account'),
                ),
                migrations.AddField(
                    model_name='transfer',
                    name='network',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='members.network'),
                ),
                migrations.AddField(
                    model_name='transfer',
                    name='on_behalf_of',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='transfer',
                    name='reverses',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='ledger.transfer'),
                ),
                migrations.AddField(
                    model_name='transfer',
                    name='to_account',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_in', to='ledger.account'),
                ),
                migrations.AddConstraint(
                    model_name='account',
                    constraint=models.CheckConstraint(condition=models.Q(('held__gte', 0)), name='account_held_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='account',
                    constraint=models.CheckConstraint(condition=models.Q(('kind', 'issuance'), ('balance__gte', django.db.models.expressions.CombinedExpression(models.F('held'), '+', models.F('floor'))), _connector='OR'), name='account_available_above_floor'),
                ),
                migrations.AddConstraint(
                    model_name='account',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'member'), ('membership__isnull', False)), models.Q(models.Q(('kind', 'member'), _negated=True), ('membership__isnull', True)), _connector='OR'), name='account_member_has_membership'),
                ),
                migrations.AddConstraint(
                    model_name='account',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'pot'), _negated=True), ('floor__gte', 0), _connector='OR'), name='account_pot_floor_zero'),
                ),
                migrations.AddConstraint(
                    model_name='account',
                    constraint=models.UniqueConstraint(condition=models.Q(('kind', 'member'), _negated=True), fields=('network', 'kind'), name='one_pot_and_issuance_per_network'),
                ),
                migrations.AddConstraint(
                    model_name='account',
                    constraint=models.UniqueConstraint(fields=('id', 'network'), name='account_id_network_unique'),
                ),
                migrations.AddConstraint(
                    model_name='hold',
                    constraint=models.CheckConstraint(condition=models.Q(('minutes__gt', 0)), name='hold_minutes_positive'),
                ),
                migrations.AddConstraint(
                    model_name='hold',
                    constraint=models.UniqueConstraint(condition=models.Q(('released_at__isnull', True)), fields=('exchange',), name='one_open_hold_per_exchange'),
                ),
                migrations.AddConstraint(
                    model_name='idempotencyrecord',
                    constraint=models.UniqueConstraint(fields=('user', 'key'), name='idempotency_key_per_user'),
                ),
                migrations.AddField(
                    model_name='transferfeed',
                    name='network',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.network'),
                ),
                migrations.AddIndex(
                    model_name='transfer',
                    index=models.Index(fields=['network', 'kind', 'created_at'], name='exchanges_t_network_99f6f1_idx'),
                ),
                migrations.AddConstraint(
                    model_name='transfer',
                    constraint=models.CheckConstraint(condition=models.Q(('minutes__gt', 0)), name='transfer_minutes_positive'),
                ),
                migrations.AddConstraint(
                    model_name='transfer',
                    constraint=models.CheckConstraint(condition=models.Q(('from_account', models.F('to_account')), _negated=True), name='transfer_two_accounts'),
                ),
                migrations.AddConstraint(
                    model_name='transfer',
                    constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key__isnull', False)), fields=('created_by', 'idempotency_key'), name='transfer_idempotency_key_per_caller'),
                ),
                migrations.AddConstraint(
                    model_name='transfer',
                    constraint=models.UniqueConstraint(condition=models.Q(('kind', 'exchange')), fields=('exchange',), name='one_transfer_per_exchange'),
                ),
            ],
        ),
    ]
