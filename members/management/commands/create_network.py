"""Create a network with its first coordinator (made if they do not exist yet), for operators."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from members.models import Network, User
from members.services import network_create

SETTINGS = (
    "approval",
    "floor_minutes",
    "autoconfirm_days",
    "hourly_value_pounds",
    "k",
    "welcome_minutes",
    "join_questions",
)


class Command(BaseCommand):
    help = "Create a network and make the given person its coordinator (creating their account if needed)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="Short name used in addresses, e.g. harlesden")
        parser.add_argument("--name", required=True, help="The network's name, e.g. 'Harlesden KeyRing'")
        parser.add_argument("--coordinator-email", required=True, help="The first coordinator's email address")
        parser.add_argument("--description", default="")
        # The same rules a coordinator sets on the settings page and API (members.services.network_settings_set).
        parser.add_argument("--approval", choices=Network.Approval.values, help="Approval before help happens")
        parser.add_argument("--floor-minutes", type=int, help="How far below zero a member may go, e.g. -600")
        parser.add_argument("--autoconfirm-days", type=int, help="Days before an unanswered claim is confirmed")
        parser.add_argument("--hourly-value-pounds", help="What an hour is worth in reports, e.g. 15.00")
        parser.add_argument("--k", type=int, help="Smallest group of people shown in reports")
        parser.add_argument("--welcome-minutes", type=int, help="Minutes each new member is given")
        parser.add_argument("--join-question", action="append", dest="join_questions", help="Asked of joiners")

    @transaction.atomic
    def handle(self, *args, slug: str, name: str, coordinator_email: str, description: str, **options):
        settings = {key: options[key] for key in SETTINGS if options.get(key) is not None}
        try:
            validate_email(coordinator_email)
        except ValidationError as exc:
            raise CommandError(f"Not an email address: {coordinator_email}") from exc
        if Network.objects.filter(slug=slug).exists():
            raise CommandError(f"A network '{slug}' already exists.")
        user = User.objects.filter(email=coordinator_email.strip().lower()).first()
        created = user is None
        if created:
            # No password: the coordinator sets one through "forgot password" on the login page.
            user = User.objects.create_user(email=coordinator_email)
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        try:
            network = network_create(slug=slug, name=name, coordinator=user, description=description, rules=settings)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Network '{network.slug}' created with coordinator {user.email}"
                + (" (new account: set a password via 'Forgot password')." if created else ".")
            )
        )
