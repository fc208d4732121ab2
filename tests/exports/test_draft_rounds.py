"""One rule for what may leave: only opened rounds are exported or analysed — on the page, in
the API (export and analysis) and by the command alike (exports.services.exportable_rounds;
build_export refuses a draft whoever calls it). The same case runs through every door, for a
draft and, as the control, for the same round once opened."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from exports.models import Export
from tests.api.conftest import token_client
from tests.factories import make_round


def through_page(user, round_):
    from tests.conftest import client_for

    response = client_for(user).post(
        reverse("exports:download"), {"rounds": [round_.pk], "format": "xlsx"}
    )
    return response.status_code == 200


def through_api_export(user, round_):
    response = token_client(user).get(f"/api/v1/rounds/{round_.slug}/export/?format=xlsx")
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200


def through_api_summary(user, round_):
    response = token_client(user).get(f"/api/v1/rounds/{round_.slug}/summary/")
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200


def through_command(user, round_):
    try:
        call_command("export_round", round_.slug, "--format", "xlsx", "--out", "/dev/null")
    except CommandError:
        return False
    return True


DOORS = [through_page, through_api_export, through_api_summary, through_command]


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
@pytest.mark.parametrize("who", ["coordinator", "analyst"])
def test_a_draft_round_leaves_through_no_door_an_opened_one_through_all(door, who, request, db):
    user = request.getfixturevalue(who)
    round_ = make_round(codes=["360", "727"], state="draft", slug="kladde-2026")

    assert door(user, round_) is False
    assert not Export.objects.exists()

    round_.state = "open"
    round_.save(update_fields=["state"])
    assert door(user, round_) is True
