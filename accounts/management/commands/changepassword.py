"""Django's `changepassword`, but the new password is set by accounts.services.set_password, so
it has the consequences every other password change has: the person's API tokens are revoked
(audited). Same arguments, prompts and checks as Django's command (which it replaces: the
accounts app is listed before django.contrib.auth in INSTALLED_APPS for that), except that
`--database` can only be the default one."""

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS

from accounts.services import set_password

MAX_TRIES = 3


class Command(changepassword.Command):
    help = (
        "Change a user's password (and revoke the user's API tokens, as every new password does)."
    )

    def handle(self, *args, **options):
        # accounts.services.set_password writes (the password, the revoked tokens, the audit
        # row) on the default database only: a user looked up elsewhere would not be the one
        # changed, so another --database is refused rather than half-honoured.
        if options["database"] != DEFAULT_DB_ALIAS:
            raise CommandError(
                f"--database {options['database']!r} is not supported: passwords are changed "
                f"on the {DEFAULT_DB_ALIAS!r} database only."
            )
        user_model = get_user_model()
        username = options["username"] or changepassword.getpass.getuser()
        try:
            user = user_model._default_manager.using(options["database"]).get(
                **{user_model.USERNAME_FIELD: username}
            )
        except user_model.DoesNotExist:
            raise CommandError(f"user '{username}' does not exist") from None
        self.stdout.write(f"Changing password for user '{user}'")
        for _attempt in range(MAX_TRIES):
            p1 = self._get_pass()
            p2 = self._get_pass("Password (again): ")
            if p1 != p2:
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(p2, user)
            except ValidationError as err:
                self.stderr.write("\n".join(err.messages))
                continue
            set_password(user, p1)
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {MAX_TRIES} attempts")
