"""Re-derive the stored skills of every open listing and every profile: after a taxonomy change,
or for listings and profiles written before matching stored them (demo data, imports)."""

from django.core.management.base import BaseCommand

from exchanges.matching.models import ListingSkill
from exchanges.matching.services import listing_skills_refresh, profile_skills_refresh
from exchanges.models import Listing
from members.models import Membership


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--network", help="only this network's slug")

    def handle(self, *args, network=None, **options):
        listings = Listing.objects.prefetch_related("skills").order_by("pk")
        stale = ListingSkill.objects.exclude(listing__status=Listing.Status.OPEN)
        memberships = Membership.objects.order_by("pk")
        if network:
            listings = listings.filter(network__slug=network)
            stale = stale.filter(network__slug=network)
            memberships = memberships.filter(network__slug=network)
        removed, _ = stale.delete()
        refreshed = 0
        for listing in listings.filter(status=Listing.Status.OPEN).iterator(chunk_size=500):
            listing_skills_refresh(listing=listing)
            refreshed += 1
        profiles = 0
        for membership in memberships.iterator(chunk_size=500):
            profile_skills_refresh(membership=membership)
            profiles += 1
        self.stdout.write(
            f"{refreshed} open listings refreshed, {removed} stale rows removed, {profiles} profiles refreshed"
        )
