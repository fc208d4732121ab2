"""`Definition.spec` is cached per process by the definition's id and kept on the instance,
without ever handing out the Spec of other content under the same id."""

import json

from surveys.definitions import SHIPPED_DIR, definition_spec, load_spec, validate_definition
from surveys.models import Definition


def shipped(key):
    return json.loads((SHIPPED_DIR / f"{key}.json").read_text(encoding="utf-8"))


def test_the_cached_spec_is_the_validated_one_and_is_reused():
    content = shipped("juniormesterlaere")
    first = definition_spec(900001, content)
    assert first == validate_definition(content)
    assert definition_spec(900001, json.loads(json.dumps(content))) is first


def test_other_content_under_the_same_id_gets_its_own_spec():
    # A rolled-back test database can give a new definition an id used before.
    jml, ph = shipped("juniormesterlaere"), shipped("proevehandlinger")
    assert definition_spec(900002, jml).key == "juniormesterlaere"
    assert definition_spec(900002, ph).key == "proevehandlinger"


def test_changing_the_callers_content_afterwards_does_not_fool_the_cache():
    content = shipped("juniormesterlaere")
    definition_spec(900003, content)
    content["questions"] = content["questions"][:1]
    assert definition_spec(900003, content).question_keys == ["pupils_8_9"]


def test_an_instance_keeps_its_spec_until_its_content_is_replaced():
    definition = Definition(pk=900004, content=shipped("juniormesterlaere"))
    assert definition.spec is definition.spec
    definition.content = shipped("proevehandlinger")
    assert definition.spec.key == "proevehandlinger"
    assert definition.spec == load_spec(definition.content)
