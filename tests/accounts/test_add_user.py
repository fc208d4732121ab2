"""manage.py add_user EMAIL --role ROLE [--municipality CODE ...]: idempotent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Role, User


def add_user(*args):
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_add_user_creates_an_officer_with_memberships_and_a_verified_email(db, client):
    output = add_user(
        "Nina@Lolland.dk", "--role", "officer", "--municipality", "360", "727",
        "--name", "Nina Nielsen", "--password", "Lolland-indberetter-2026",
    )  # fmt: skip

    user = User.objects.get(email="nina@lolland.dk")
    assert "Gemt: nina@lolland.dk (officer; 360, 727)" in output
    assert (user.role, user.name) == (Role.OFFICER, "Nina Nielsen")
    assert set(user.memberships.values_list("municipality__code", flat=True)) == {"360", "727"}
    client.post("/konto/login/", {"login": user.email, "password": "Lolland-indberetter-2026"})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_running_add_user_twice_changes_nothing_the_second_time(db):
    args = [
        "nina@lolland.dk",
        "--role",
        "officer",
        "--municipality",
        "360",
        "--password",
        "x-Y-z-1234",
    ]
    add_user(*args)
    user = User.objects.get(email="nina@lolland.dk")
    snapshot = (user.password, user.role, user.name, user.memberships.count())
    audit_rows = AuditEvent.objects.count()

    output = add_user(*args)

    user.refresh_from_db()
    assert "Uændret" in output
    assert (user.password, user.role, user.name, user.memberships.count()) == snapshot
    assert AuditEvent.objects.count() == audit_rows


def test_the_municipality_option_may_be_repeated(db):
    add_user("a@example.dk", "--role", "officer", "--municipality", "360", "--municipality", "727")

    codes = User.objects.get(email="a@example.dk").memberships.values_list(
        "municipality__code", flat=True
    )
    assert set(codes) == {"360", "727"}


def test_add_user_adds_a_membership_and_changes_a_role_of_an_existing_user(lolland):
    output = add_user(lolland.email, "--role", "officer", "--municipality", "727")

    assert "Gemt" in output
    assert set(lolland.memberships.values_list("municipality__code", flat=True)) == {"360", "727"}

    add_user(lolland.email, "--role", "analyst")
    lolland.refresh_from_db()
    assert lolland.role == Role.ANALYST


def test_unknown_municipality_codes_are_refused_with_the_code_named(db):
    with pytest.raises(CommandError, match="999"):
        add_user("a@example.dk", "--role", "officer", "--municipality", "360", "999")

    assert not User.objects.filter(email="a@example.dk").exists()


def test_an_unknown_role_is_refused(db):
    with pytest.raises(CommandError, match="role"):
        add_user("a@example.dk", "--role", "admin")


def test_add_user_exits_non_zero_on_an_unknown_code(db, capsys):
    # Through the command line, as an operator runs it: CommandError → exit status 1.
    from django.core.management import ManagementUtility

    utility = ManagementUtility(
        ["manage.py", "add_user", "a@example.dk", "--role", "officer", "--municipality", "99"]
    )
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code != 0
    assert "Ukendt kommunekode: 99" in capsys.readouterr().err
