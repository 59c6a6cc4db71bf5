"""Safeguarding's tables take the app's own names."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('safeguarding', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='concern',
            table=None,
        ),
        migrations.AlterModelTable(
            name='safeguardingcheck',
            table=None,
        ),
    ]
