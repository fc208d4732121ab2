"""create_api_token EMAIL [--name NAME]: print a new personal API token for a user."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import create_token


class Command(BaseCommand):
    help = (
        "Create a personal API token for the user with this e-mail and print it (once: only its "
        "SHA-256 digest is stored). The token carries the user's role and memberships."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="create_api_token", help="What the token is for.")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail {email!r}.")
        if not user.is_active:
            raise CommandError(f"The user {email!r} is deactivated.")
        name = name.strip()[:100] or "create_api_token"
        _token, raw = create_token(user, name)
        self.stdout.write(raw)
