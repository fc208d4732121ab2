"""Storing survey definitions: each import is the next version of its survey, in one
transaction with its audit row. Parsing and checking a definition is surveys.definitions."""

from django.db import transaction

from accounts.audit import record
from accounts.models import User
from reference.models import KOMMUNER, Register
from reference.registers import ensure_shipped_registers
from surveys.definitions import (
    SHIPPED_DIR,
    SHIPPED_KEYS,
    DefinitionError,
    read_definition_file,
    validate_definition,
)
from surveys.models import Definition, Survey


def register_of(content: dict) -> Register:
    """The register a definition says its survey is asked of (`register`, default kommuner).
    The shipped registers are created when missing; another must exist."""
    key = content.get("register") or KOMMUNER
    register = Register.objects.filter(key=key).first()
    if register is None:
        register = ensure_shipped_registers(Register).get(key)
    if register is None:
        raise DefinitionError(f"unknown register {key!r}", "register")
    return register


def import_definition(content: dict, user: User | None = None) -> tuple[Definition, bool]:
    """Validate and store a definition as the next version of its survey (creating the survey).
    An identical definition is not stored twice. Returns (definition, created)."""
    validate_definition(content)
    content = {k: v for k, v in content.items() if k != "version"}
    with transaction.atomic():
        register = register_of(content)
        survey, _ = Survey.objects.get_or_create(
            key=content["key"],
            defaults={
                "name": content["title"]["da"],
                "name_en": content["title"].get("en", ""),
                "register": register,
            },
        )
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        current = survey.current_definition()
        if current is not None and current.content == content:
            return current, False
        if survey.register_id != register.pk and survey.rounds.exists():
            # The rounds' recipients are members of the survey's register.
            raise DefinitionError(
                f"the survey's rounds are asked of the register {survey.register.key!r}; "
                "a new version cannot change it",
                "register",
            )
        survey.name = content["title"]["da"]
        survey.name_en = content["title"].get("en", "")
        survey.register = register
        survey.save(update_fields=["name", "name_en", "register"])
        definition = Definition.objects.create(
            survey=survey,
            version=(current.version + 1) if current else 1,
            content=content,
            created_by=user,
        )
        record("definition.imported", actor=user, obj=definition, detail={"key": survey.key})
    return definition, True


def load_shipped_definitions(user: User | None = None) -> list[Definition]:
    return [
        import_definition(read_definition_file(SHIPPED_DIR / f"{key}.json"), user)[0]
        for key in SHIPPED_KEYS
    ]
