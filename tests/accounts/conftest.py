"""Helpers for the account tests: reading codes and links out of sent e-mails."""

import re

import pytest

PASSWORD = "correct horse battery"  # what tests.factories gives every user


def login_code_in(message):
    """The one-time login code allauth puts on a line of its own in the e-mail."""
    codes = re.findall(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert len(codes) == 1, message.body
    return codes[0]


def invitation_path_in(message):
    match = re.search(r"http://testserver(/konto/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def password():
    return PASSWORD
