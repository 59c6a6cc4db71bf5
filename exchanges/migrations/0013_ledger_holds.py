"""Holds become rows of their own (one per agreed exchange), backfilled from the exchanges that hold
minutes today; and accounts get the (id, network) key that transfers and holds refer to in 0013."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


HOLDING_STATES = ("proposed", "awaiting_approval", "accepted", "claimed", "disputed")


def holds_backfill(apps, schema_editor):
    """One open hold per exchange still holding minutes, on its recipient's account (the pot when the
    recipient is the network), placed when the exchange last changed, with its audit event."""
    Exchange = apps.get_model("exchanges", "Exchange")
    Account = apps.get_model("exchanges", "Account")
    Hold = apps.get_model("exchanges", "Hold")
    AuditEvent = apps.get_model("members", "AuditEvent")
    for exchange in Exchange.objects.filter(state__in=HOLDING_STATES, held_minutes__gt=0).order_by("pk").iterator():
        if exchange.recipient_id is None:
            account = Account.objects.get(network_id=exchange.network_id, kind="pot")
        else:
            account = Account.objects.get(
                network_id=exchange.network_id, membership__user_id=exchange.recipient_id, kind="member"
            )
        hold = Hold.objects.create(
            network_id=exchange.network_id,
            account=account,
            exchange=exchange,
            minutes=exchange.held_minutes,
            placed_at=exchange.updated_at,
        )
        AuditEvent.objects.create(
            network_id=exchange.network_id,
            action="hold.place",
            target_type="hold",
            target_id=hold.pk,
            reason="Recorded from the exchange when holds became rows",
            data={"exchange": exchange.pk, "account": account.pk, "minutes": hold.minutes},
            created_at=exchange.updated_at,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0012_matching_reports_own_apps'),
        ('members', '0004_network_nearby_neighbourhoods'),
    ]

    operations = [
        migrations.CreateModel(
            name='Hold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('minutes', models.BigIntegerField()),
                ('placed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('released_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AddConstraint(
            model_name='account',
            constraint=models.UniqueConstraint(fields=('id', 'network'), name='account_id_network_unique'),
        ),
        migrations.AddField(
            model_name='hold',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='exchanges.account'),
        ),
        migrations.AddField(
            model_name='hold',
            name='exchange',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='exchanges.exchange'),
        ),
        migrations.AddField(
            model_name='hold',
            name='network',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='members.network'),
        ),
        migrations.AddConstraint(
            model_name='hold',
            constraint=models.CheckConstraint(condition=models.Q(('minutes__gt', 0)), name='hold_minutes_positive'),
        ),
        migrations.AddConstraint(
            model_name='hold',
            constraint=models.UniqueConstraint(condition=models.Q(('released_at__isnull', True)), fields=('exchange',), name='one_open_hold_per_exchange'),
        ),
        migrations.RunPython(holds_backfill, migrations.RunPython.noop),
    ]
