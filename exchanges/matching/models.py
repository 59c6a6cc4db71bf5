"""Each open listing's skills, derived once when it is written, so matching reads an index
instead of mapping every listing's text to skills on every call."""

from django.conf import settings
from django.db import models
from django.db.models import Q

# The candidate query reads, per skill (or category), the entries with the most weight first;
# the other columns it needs ride in the index, so PostgreSQL answers from the index alone.
_COVERED = ["listing", "owner", "expires_on"]


class ListingSkill(models.Model):
    """One skill of an open listing (`skill` set), or one of its categories (`skill` null).

    `weight` is the skill's weight as the matcher derived it (strongest 1.0); `unit` is the
    weight in the listing's normalised skill (or category) vector, so a sum of products of `unit`
    in SQL is the cosine the scoring uses."""

    # Only the listing key gets its own index (refreshes delete by it); the others are read
    # through the covering indexes below, and rows go when their listing goes.
    network = models.ForeignKey("members.Network", on_delete=models.CASCADE, db_index=False, related_name="+")
    listing = models.ForeignKey("exchanges.Listing", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False, related_name="+")
    kind = models.CharField(max_length=8)
    skill = models.ForeignKey("members.Skill", null=True, on_delete=models.CASCADE, db_index=False, related_name="+")
    category = models.ForeignKey("members.SkillCategory", on_delete=models.CASCADE, db_index=False, related_name="+")
    weight = models.FloatField()
    unit = models.FloatField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["network", "kind", "skill", "-unit"],
                include=_COVERED,
                condition=Q(skill__isnull=False),
                name="matching_ls_skill",
            ),
            models.Index(
                fields=["network", "kind", "category", "-unit"],
                include=_COVERED,
                condition=Q(skill__isnull=True),
                name="matching_ls_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.skill_id or self.category_id} {self.weight:.2f}"


class ProfileSkill(models.Model):
    """One skill on a member's profile, with the member's network, so matching finds the members
    who offer (or want) a skill in one network by index, as it finds listings.

    `kind` reads like a listing's: "offer" for a skill the member offers, "request" for one they
    would like help with; "bio" (BIO) for one their own words about themselves say they offer
    (`offered_in_bio`), which only search reads, never a listing's matches or the round-ups. Kept
    current by `profile_skills_refresh`."""

    BIO = "bio"

    network = models.ForeignKey("members.Network", on_delete=models.CASCADE, db_index=False, related_name="+")
    membership = models.ForeignKey("members.Membership", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False, related_name="+")
    kind = models.CharField(max_length=8)
    skill = models.ForeignKey("members.Skill", on_delete=models.CASCADE, db_index=False, related_name="+")

    class Meta:
        indexes = [
            models.Index(
                fields=["network", "kind", "skill", "membership"],
                include=["user"],
                name="matching_ps_skill",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.kind} {self.skill_id}"


class ListingVector(models.Model):
    """An open listing's meaning as the sentence-embedding model reads its title and description
    (`semantic.to_bytes`: 384 float16 numbers), written with its stored skills, read only for the
    few listings a match or a search shortlists. No row without the model."""

    listing = models.OneToOneField("exchanges.Listing", primary_key=True, on_delete=models.CASCADE, related_name="+")
    vector = models.BinaryField()
    # Which model and lens made it (`semantic.vectors_tag`); rows of another are read as no vector.
    model = models.CharField(max_length=12, default="")

    def __str__(self) -> str:
        return f"vector of listing {self.listing_id}"


class ProfileVector(models.Model):
    """A member's profile (the skills they offer and their words about themselves) as a vector,
    so a search finds the gardener who never wrote a listing. Kept by `profile_skills_refresh`."""

    membership = models.OneToOneField(
        "members.Membership", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    vector = models.BinaryField()
    model = models.CharField(max_length=12, default="")

    def __str__(self) -> str:
        return f"vector of membership {self.membership_id}"
