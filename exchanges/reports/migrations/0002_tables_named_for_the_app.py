"""reports's tables take the app's own names."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.RenameIndex(
            model_name='wellbeingcheckin',
            new_name='reports_wel_network_926c99_idx',
            old_name='exchanges_w_network_f0e3cd_idx',
        ),
        migrations.AlterModelTable(
            name='rollupcategoryspan',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rollupmembercategory',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rollupmembermonth',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rollupmemberspan',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rollupmonthkind',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rolluppair',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rolluppairmonth',
            table=None,
        ),
        migrations.AlterModelTable(
            name='wellbeingcheckin',
            table=None,
        ),
    ]
