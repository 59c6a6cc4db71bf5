"""What an import brought in, keyed by the source's own id, so running the same import again changes nothing."""

from django.db import models
from django.utils import timezone


class ImportedRecord(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        LISTING = "listing", "Listing"

    network = models.ForeignKey("members.Network", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)  # "timeoverflow" or "plain"
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source_id = models.CharField(max_length=100)
    # A member: their membership's id; a listing: the listing's id.
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "source", "kind", "source_id"], name="imported_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"
