"""matching's tables take the app's own names."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='listingskill',
            table=None,
        ),
        migrations.AlterModelTable(
            name='profileskill',
            table=None,
        ),
    ]
