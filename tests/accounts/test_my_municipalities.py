"""The page listing a person's municipalities shows only their own."""

from django.urls import reverse

from accounts.models import Role
from tests.conftest import client_for
from tests.factories import make_user

PAGE = reverse("accounts:my_municipalities")


def test_an_officer_sees_their_own_municipality_and_not_others(as_lolland):
    page = as_lolland.get(PAGE).content.decode()

    assert "Lolland" in page
    assert "Odder" not in page


def test_the_outsider_sees_only_odder(as_odder):
    page = as_odder.get(PAGE).content.decode()

    assert "Odder" in page
    assert "Lolland" not in page


def test_an_officer_of_a_shared_service_centre_sees_each_of_their_municipalities(db):
    user = make_user(Role.OFFICER, ["360", "376", "727"], email="faelles@example.dk")

    page = client_for(user).get(PAGE).content.decode()

    for name in ("Lolland", "Guldborgsund", "Odder"):
        assert name in page
    assert "København" not in page


def test_an_officer_without_memberships_is_told_to_ask_for_an_invitation(db):
    user = make_user(Role.OFFICER, email="ingen@example.dk")

    page = client_for(user).get(PAGE).content.decode()

    assert "Du er ikke tilknyttet nogen kommune endnu." in page


def test_coordinators_and_analysts_see_all_98(as_coordinator, as_analyst):
    for client in (as_coordinator, as_analyst):
        page = client.get(PAGE).content.decode()
        assert "kan du se data fra alle 98 kommuner" in page
        assert page.count('<th scope="row">') == 98


def test_the_page_requires_login(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
