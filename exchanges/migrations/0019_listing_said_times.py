"""Listings keep the days and times their words name (`said_times`), apart from the times ticked;
listings written before it are read once here, as every save reads them now
(`exchanges.listings.times_from_words`)."""

from django.db import migrations, models

BATCH = 2000


def read_times(apps, schema_editor):
    from exchanges.matching.when import said_availability

    Listing = apps.get_model("exchanges", "Listing")
    changed = []
    for listing in Listing.objects.only("id", "title", "description").iterator(BATCH):
        said = said_availability(f"{listing.title}. {listing.description}")
        if said:
            listing.said_times = said
            changed.append(listing)
        if len(changed) >= BATCH:
            Listing.objects.bulk_update(changed, ["said_times"])
            changed = []
    Listing.objects.bulk_update(changed, ["said_times"])


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0018_group_activities")]

    operations = [
        migrations.AddField(model_name="listing", name="said_times", field=models.JSONField(blank=True, default=list)),
        migrations.RunPython(read_times, migrations.RunPython.noop, elidable=True),
    ]
