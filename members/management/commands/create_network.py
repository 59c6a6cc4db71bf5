"""Create a network with its first coordinator (made if they do not exist yet), for operators."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from members.models import Network, User
from members.services import network_create


class Command(BaseCommand):
    help = "Create a network and make the given person its coordinator (creating their account if needed)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="Short name used in addresses, e.g. harlesden")
        parser.add_argument("--name", required=True, help="The network's name, e.g. 'Harlesden KeyRing'")
        parser.add_argument("--coordinator-email", required=True, help="The first coordinator's email address")
        parser.add_argument("--description", default="")

    @transaction.atomic
    def handle(self, *args, slug: str, name: str, coordinator_email: str, description: str, **options):
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
            network = network_create(slug=slug, name=name, coordinator=user, description=description)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Network '{network.slug}' created with coordinator {user.email}"
                + (" (new account: set a password via 'Forgot password')." if created else ".")
            )
        )
