"""People, networks and memberships, the skills taxonomy, safeguarding checks, concerns, audit."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str | None:
        # allauth looks people up by the fully lower-cased address, so store it that way.
        return email.strip().lower() if email else None

    def create_user(self, email: str | None = None, password: str | None = None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Supported members may have no email of their own (and then cannot log in)."""

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)
    # The language the person chose for pages, emails and notifications (members/language.py); blank:
    # their browser's, else the site's.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def save(self, *args, **kwargs):
        self.email = UserManager.normalize_email(self.email)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        # Never the email address, nor part of it: other members see this name, never contact details.
        return self.display_name or gettext("Member %(number)s") % {"number": self.pk or ""}


class Network(models.Model):
    class Approval(models.TextChoices):
        NEVER = "never", _("Never")
        SENSITIVE = "sensitive", _("For sensitive skills")
        ALWAYS = "always", _("Always")

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    member_floor_minutes = models.IntegerField(default=-600)
    approval = models.CharField(max_length=10, choices=Approval.choices, default=Approval.SENSITIVE)
    autoconfirm_days = models.PositiveIntegerField(default=7)
    hourly_value_pounds = models.DecimalField(max_digits=8, decimal_places=2, default=15)
    k = models.PositiveIntegerField(default=5)
    welcome_minutes = models.PositiveIntegerField(default=0)
    # Groups of neighbourhood names that lie near each other, as the coordinator knows them:
    # [["Harlesden Town", "Church End", "Stonebridge"], …]. Matching counts a helper in the same
    # group as nearby. Written by `network_neighbourhoods_set`.
    nearby_neighbourhoods = models.JSONField(default=list, blank=True)
    # What the coordinators ask someone who asks to join, one question a line: ["Why would you like to
    # join?", …]. The answers are kept on the membership. Written by `network_settings_set`.
    join_questions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(member_floor_minutes__lte=0), name="network_floor_not_positive")
        ]

    def __str__(self) -> str:
        return self.name


AVAILABILITY_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
AVAILABILITY_PARTS = ["morning", "afternoon", "evening"]
DAY_NAMES = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
PART_NAMES = {"morning": _("morning"), "afternoon": _("afternoon"), "evening": _("evening")}


def slot_words(slot: str) -> str:
    """`sat-morning` → "Saturday morning" (in the reader's language); an unknown code as it is."""
    day, _sep, part = slot.partition("-")
    if day not in DAY_NAMES or part not in PART_NAMES:
        return slot
    return f"{DAY_NAMES[day]} {PART_NAMES[part]}"


class Membership(models.Model):
    """A person in a network: role, status, and their profile there."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        SUPPORTER = "supporter", _("Supporter")
        COORDINATOR = "coordinator", _("Coordinator")
        COMMISSIONER = "commissioner", _("Commissioner")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    is_supported = models.BooleanField(default=False, help_text=_("Acts through a coordinator or supporter."))
    # Profile in this network. Neighbourhood only: never a street address.
    bio = models.TextField(blank=True, max_length=1000)
    neighbourhood = models.CharField(max_length=80, blank=True)
    availability = models.JSONField(default=list, blank=True)  # ["mon-morning", "tue-evening", ...]
    skills_offered = models.ManyToManyField("members.Skill", blank=True, related_name="offered_by")
    skills_wanted = models.ManyToManyField("members.Skill", blank=True, related_name="wanted_by")
    # Contact details: coordinators and the member's supporters only.
    phone = models.CharField(max_length=30, blank=True)
    emergency_contact = models.CharField(max_length=200, blank=True)
    # Reach, optional and with consent; only ever aggregated.
    reach_consent = models.BooleanField(default=False)
    age_band = models.CharField(max_length=10, blank=True)
    disability = models.CharField(max_length=10, blank=True)
    ward = models.CharField(max_length=80, blank=True)
    # The answers given to the network's join questions when asking to join: [{"question", "answer"}, …].
    join_answers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="one_membership_per_network")]
        indexes = [models.Index(fields=["network", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.network.slug} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == self.Role.COORDINATOR


class SupportLink(models.Model):
    """A supporter acts with the members they support."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT)
    supporter = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="supporting")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="supported_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "member"], name="one_link_per_pair"),
            models.CheckConstraint(condition=~Q(supporter=models.F("member")), name="no_self_support"),
        ]


class SkillCategory(models.Model):
    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=80)
    sensitive = models.BooleanField(default=False, help_text=_("A safeguarding check is expected."))

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "skill categories"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (members/taxonomy_names.py)."""
        return gettext(self.name)


class Skill(models.Model):
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=100)
    category = models.ForeignKey(SkillCategory, on_delete=models.PROTECT, related_name="skills")
    synonyms = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["category__name", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (members/taxonomy_names.py)."""
        return gettext(self.name)


class AuditEvent(models.Model):
    """Who did what to whom, when and why: every coordinator action and every ledger write."""

    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["network", "action"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """News or an event a coordinator tells the whole network; every active member is notified."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="announcements")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=140)
    body = models.TextField(max_length=4000)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["network", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="announcement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title
