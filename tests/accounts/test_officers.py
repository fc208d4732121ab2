import pytest
from django.test import Client

from accounts.models import AuditEvent, Role
from accounts.tokens import authenticate_token, create_token
from tests.factories import force_login, make_user


@pytest.fixture
def officer_session(lolland):
    client = Client()
    force_login(client, lolland)
    assert client.get("/").status_code == 200
    return client


def test_the_coordinator_sees_every_officer_with_their_municipalities(as_coordinator, lolland):
    body = as_coordinator.get("/konto/sagsbehandlere/").content.decode()
    assert "officer@lolland.dk" in body
    assert "Lolland" in body


def test_deactivating_an_officer_ends_their_session_and_revokes_their_tokens(
    as_coordinator, lolland, officer_session
):
    _, raw = create_token(lolland, "script")
    response = as_coordinator.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/")
    assert response.status_code == 302
    lolland.refresh_from_db()
    assert lolland.is_active is False
    assert officer_session.get("/").status_code == 302  # logged out
    assert authenticate_token(raw) is None
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1


def test_deactivating_twice_is_harmless_and_audited_once(as_coordinator, lolland):
    as_coordinator.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/")
    as_coordinator.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/")
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1


def test_only_officers_can_be_deactivated_here(as_coordinator, analyst):
    response = as_coordinator.post(f"/konto/sagsbehandlere/{analyst.pk}/deaktiver/")
    assert response.status_code == 404
    analyst.refresh_from_db()
    assert analyst.is_active


@pytest.mark.parametrize("who", ["as_lolland", "as_odder", "as_analyst"])
def test_nobody_but_the_coordinator_may_list_or_deactivate_officers(who, request, lolland):
    client = request.getfixturevalue(who)
    assert client.get("/konto/sagsbehandlere/").status_code == 404
    assert client.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/").status_code == 404
    lolland.refresh_from_db()
    assert lolland.is_active


def test_unticking_active_in_the_admin_also_ends_the_session(lolland, officer_session):
    admin = make_user(Role.COORDINATOR, email="root@indberet.dk", is_staff=True, is_superuser=True)
    client = Client()
    force_login(client, admin)
    page = client.get(f"/admin/accounts/user/{lolland.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "email": lolland.email,
            "role": "officer",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_active", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/accounts/user/{lolland.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    lolland.refresh_from_db()
    assert lolland.is_active is False
    assert officer_session.get("/").status_code == 302


@pytest.fixture
def invitation(coordinator, django_capture_on_commit_callbacks):
    from accounts.services import invite_officer
    from reference.models import Municipality

    with django_capture_on_commit_callbacks(execute=True):
        return invite_officer(
            "ny@odder.dk", Municipality.objects.get(code="727"), invited_by=coordinator
        )


def test_the_page_says_each_status_in_words_and_lists_pending_invitations(
    as_coordinator, lolland, invitation
):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=lolland.pk).update(last_login="2026-03-07T00:00Z")
    html = as_coordinator.get("/konto/sagsbehandlere/").content.decode()
    assert "Aktiv, loggede sidst ind 7. marts 2026 kl. 01.00" in html
    assert "Inviteret, har ikke logget ind endnu" in html
    assert "Invitationer, der ikke er taget imod" in html and "ny@odder.dk" in html
    assert "Venter, linket virker til" in html
    assert f"/konto/sagsbehandlere/invitation/{invitation.pk}/send-igen/" in html


def test_resending_gives_a_new_link_and_the_old_one_stops_working(
    as_coordinator, invitation, django_capture_on_commit_callbacks
):
    from django.core import mail

    from accounts.services import find_open_invitation

    old_token = invitation.token
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(
            f"/konto/sagsbehandlere/invitation/{invitation.pk}/send-igen/", follow=True
        )
    assert "Invitationen er sendt igen til ny@odder.dk" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.token != old_token and find_open_invitation(old_token) is None
    assert find_open_invitation(invitation.token) == invitation
    [message] = mail.outbox
    assert message.to == ["ny@odder.dk"] and invitation.token in message.body
    event = AuditEvent.objects.get(action="invitation.resent")
    assert event.detail == {"email": "ny@odder.dk", "municipality": "727"}


def test_withdrawing_kills_the_link_and_the_access_it_gave(as_coordinator, invitation):
    from accounts.models import Invitation, Membership

    user, token = invitation.user, invitation.token
    response = as_coordinator.post(
        f"/konto/sagsbehandlere/invitation/{invitation.pk}/traek-tilbage/", follow=True
    )
    assert "Invitationen til ny@odder.dk er trukket tilbage" in response.content.decode()
    assert not Invitation.objects.filter(token=token).exists()
    assert not Membership.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.is_active is False
    assert Client().get(f"/konto/invitation/{token}/").status_code == 410
    assert AuditEvent.objects.filter(action="invitation.withdrawn").count() == 1
    page = as_coordinator.get("/konto/sagsbehandlere/")
    assert [i for i, _expires in page.context["invitations"]] == []


@pytest.mark.parametrize("has_logged_in", [True, False])
def test_withdrawing_an_invitation_of_someone_who_uses_the_platform_keeps_their_access(
    as_coordinator, lolland, coordinator, has_logged_in
):
    """Lolland's officer (360) is invited for Odder (727) too, then the invitation is withdrawn:
    someone who has logged in keeps what the invitation gave; someone who never has loses it
    (the control case, so the test fails if withdrawing does nothing)."""
    from accounts.models import Invitation, Membership
    from accounts.services import invite_officer
    from reference.models import Municipality

    lolland.last_login = "2026-03-07T00:00Z" if has_logged_in else None
    lolland.save()
    invitation = invite_officer(
        lolland.email, Municipality.objects.get(code="727"), invited_by=coordinator
    )
    response = as_coordinator.post(
        f"/konto/sagsbehandlere/invitation/{invitation.pk}/traek-tilbage/", follow=True
    )
    assert "er trukket tilbage" in response.content.decode()
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert AuditEvent.objects.filter(action="invitation.withdrawn").count() == 1
    codes = set(
        Membership.objects.filter(user=lolland).values_list("municipality__code", flat=True)
    )
    assert codes == ({"360", "727"} if has_logged_in else {"360"})
    lolland.refresh_from_db()
    assert lolland.is_active  # still answers for 360 either way


@pytest.mark.parametrize("action", ["send-igen", "traek-tilbage"])
def test_only_a_pending_invitation_can_be_resent_or_withdrawn(as_coordinator, invitation, action):
    """One definition of pending (accounts.selectors.open_invitations): the page's list, the
    link, resend and withdraw agree — an accepted invitation or one to a deactivated person
    is none of them."""
    from accounts.models import Invitation
    from accounts.services import find_open_invitation

    url = f"/konto/sagsbehandlere/invitation/{invitation.pk}/{action}/"
    listed = as_coordinator.get("/konto/sagsbehandlere/").context["invitations"]
    assert [i for i, _expires in listed] == [invitation]

    invitation.user.is_active = False
    invitation.user.save(update_fields=["is_active"])
    listed = as_coordinator.get("/konto/sagsbehandlere/").context["invitations"]
    assert listed == []
    assert find_open_invitation(invitation.token) is None
    assert as_coordinator.post(url).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).token == invitation.token

    invitation.user.is_active = True
    invitation.user.save(update_fields=["is_active"])
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at="2026-03-07T00:00Z")
    assert as_coordinator.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="invitation.").exists()


@pytest.mark.parametrize("action", ["send-igen", "traek-tilbage"])
def test_an_officer_cannot_resend_or_withdraw_and_nothing_happens(
    lolland, odder, invitation, action
):
    from accounts.models import Invitation

    for person in (lolland, odder):
        client = Client()
        client.force_login(person)
        url = f"/konto/sagsbehandlere/invitation/{invitation.pk}/{action}/"
        assert client.post(url).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).token == invitation.token
    assert not AuditEvent.objects.filter(action__startswith="invitation.").exists()
