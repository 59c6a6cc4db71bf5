"""Listings posted before their words were read for times take the days and times their words name,
as a listing posted now does when none are ticked (`exchanges.listings.times_from_words`)."""

from django.db import migrations

BATCH = 2000


def read_times(apps, schema_editor):
    from exchanges.matching.when import said_availability

    Listing = apps.get_model("exchanges", "Listing")
    changed = []
    for listing in Listing.objects.filter(availability=[]).only("id", "title", "description").iterator(BATCH):
        said = said_availability(f"{listing.title}. {listing.description}")
        if said:
            listing.availability = said
            changed.append(listing)
        if len(changed) >= BATCH:
            Listing.objects.bulk_update(changed, ["availability"])
            changed = []
    Listing.objects.bulk_update(changed, ["availability"])


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0018_group_activities")]

    operations = [migrations.RunPython(read_times, migrations.RunPython.noop, elidable=True)]
