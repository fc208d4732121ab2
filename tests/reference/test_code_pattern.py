"""A member's code has one pattern (lib.api_schema.URL_CODE): the registers' rule, the page
addresses and the API schema all use it, so a code one accepts is one the others accept."""

import re

import pytest
from django.urls import Resolver404, resolve

import reference.models
from lib import api_schema
from reference.models import Register


def test_the_code_pattern_has_one_definition():
    assert reference.models.URL_CODE is api_schema.URL_CODE
    assert api_schema.CODE_PATTERN == f"^{api_schema.URL_CODE}$"


@pytest.mark.parametrize(
    "code,ok", [("360", True), ("S05", True), ("A_B-1", True), ("s05", False), ("-1", False)]
)
def test_register_rule_address_and_schema_agree(code, ok):
    register = Register(key="x", code_pattern=r".+")
    assert register.code_matches(code) is ok
    assert bool(re.fullmatch(api_schema.CODE_PATTERN, code)) is ok
    try:
        resolve(f"/registre/x/medlem/{code}/")
        routed = True
    except Resolver404:
        routed = False
    assert routed is ok
