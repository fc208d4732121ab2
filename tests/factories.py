"""Test data builders (factory-boy). Every test builds what it needs; no shared fixture file."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Membership, Role, User
from surveys.models import Municipality


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.dk")
    name = factory.Faker("name", locale="da_DK")
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def make_user(role=Role.OFFICER, codes=(), *, mfa=None, **kwargs):
    """A user with a role, memberships for the given municipality codes and, for coordinators
    and analysts, TOTP already set up (they must have it; see RequireTwoFactorMiddleware)."""
    user = UserFactory(role=role, **kwargs)
    for code in codes:
        Membership.objects.create(user=user, municipality=Municipality.objects.get(code=code))
    if mfa is None:
        mfa = role in (Role.COORDINATOR, Role.ANALYST)
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user
