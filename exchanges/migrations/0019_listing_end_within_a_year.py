"""A listing ends at most a year ahead (`exchanges.listings.latest_end`): an end set further off before that
rule is brought within it, so that the listing can be renewed and its page saved as it is."""

import datetime

from django.db import migrations
from django.utils import timezone

LONGEST_DAYS = 366  # exchanges.listings.LONGEST_DAYS when this was written


def bring_within_a_year(apps, schema_editor):
    Listing = apps.get_model("exchanges", "Listing")
    latest = timezone.localdate() + datetime.timedelta(days=LONGEST_DAYS)
    Listing.objects.filter(expires_on__gt=latest).update(expires_on=latest)


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0018_group_activities")]

    operations = [migrations.RunPython(bring_within_a_year, migrations.RunPython.noop)]
