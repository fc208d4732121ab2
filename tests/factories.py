"""Test data builders (factory-boy). The few shared fixtures (people, clients) are in
tests/conftest.py and each directory's conftest.py; every test builds the rest with these."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.http import HttpRequest

from accounts.mfa import record_two_factor
from accounts.models import Membership, Role, User
from reference.models import Municipality
from surveys.lifecycle import members_of


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


def make_user(role=Role.OFFICER, codes=(), *, mfa=None, register="kommuner", **kwargs):
    """A user with a role, memberships for the given codes (of members of `register`) and, for
    coordinators and analysts, TOTP already set up (they must have it; see
    RequireTwoFactorMiddleware)."""
    user = UserFactory(role=role, **kwargs)
    for code in codes:
        member = Municipality.objects.of_register(register).get(code=code)
        Membership.objects.create(user=user, municipality=member)
    if mfa is None:
        mfa = role in (Role.COORDINATOR, Role.ANALYST)
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def force_login(client, user):
    """Log the test client in as `user`, as if through allauth's login with its stages: for
    someone with TOTP the session records the passed second factor (as mfa_authenticate does),
    which RequireTwoFactorMiddleware asks for."""
    client.force_login(user)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        session = client.session
        request = HttpRequest()
        request.session = session
        record_two_factor(request, user, type="totp")
        session.save()
    return client


def shipped_definition(key="juniormesterlaere"):
    """The shipped definition of a survey, imported once (idempotent)."""
    from surveys.definition_store import import_definition
    from surveys.definitions import SHIPPED_DIR, read_definition_file

    definition, _ = import_definition(read_definition_file(SHIPPED_DIR / f"{key}.json"))
    return definition


def make_round(
    survey_key="juniormesterlaere",
    *,
    codes=None,
    state="open",
    slug=None,
    title=None,
    deadline=None,
    previous=None,
    **kwargs,
):
    """A round of a shipped survey. `codes=None` makes all 98 municipalities recipients."""
    from datetime import timedelta

    from django.utils import timezone

    from surveys.models import Round

    definition = shipped_definition(survey_key)
    n = Round.objects.count() + 1
    round_ = Round.objects.create(
        survey=definition.survey,
        definition=definition,
        title=title or f"Runde {n}",
        slug=slug or f"{survey_key}-{n}",
        deadline=deadline or timezone.now() + timedelta(days=14),
        state=state,
        previous=previous,
        opened_at=timezone.now() if state != "draft" else None,
        **kwargs,
    )
    recipients = members_of(definition.survey.register)
    if codes is not None:
        recipients = recipients.filter(code__in=codes)
    round_.recipients.set(recipients)
    return round_


def make_submission(round_, code, answers, *, state="submitted", explanations=None, **kwargs):
    """A submission stored directly (validated, with one revision), in the given state."""
    from django.utils import timezone

    from submissions.models import Revision, Submission
    from submissions.services import previous_answers, store_result
    from submissions.validation import validate

    municipality = Municipality.objects.get(register_id=round_.survey.register_id, code=code)
    result = validate(round_.definition.spec, answers, previous_answers(round_, municipality))
    now = timezone.now()
    submission = Submission(
        round=round_,
        municipality=municipality,
        state=state,
        version=1,
        answers=result.answers,
        explanations=explanations or {},
        submitted_at=now if state in ("submitted", "accepted") else None,
        accepted_at=now if state == "accepted" else None,
        **kwargs,
    )
    store_result(submission, result).save()
    Revision.objects.create(
        submission=submission,
        number=1,
        action="save",
        state=state,
        answers=submission.answers,
        explanations=submission.explanations,
        changed_keys=sorted(answers),
    )
    return submission
