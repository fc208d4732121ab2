"""Writes to the registers of organisations (issue 14): create a register, load its members
from a file (after a preview: `reference.member_import.plan_members`), save one member by hand,
save a selection of members. Each is one function, one transaction and its audit row; pages,
the demo and commands all call these.

The municipalities (`kommuner`) keep their own columns region_code, region_name and dst_group
(the municipal exports read them): every write here mirrors the attributes `region` and
`dst_group` into them.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import User
from reference.member_import import Plan, check_member, known_codes_for, plan_members
from reference.models import (
    ATTRIBUTE_TYPES,
    KOMMUNER,
    REGIONER,
    Organisation,
    Register,
    Selection,
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_ATTRIBUTE_KEYS = {"code", "name", "kode", "navn"}


class RegisterError(Exception):
    """A register write refused: `problems` is a list of (field, message); `rows` the
    per-row problems of a file (reference.member_import.RowProblem)."""

    def __init__(self, problems=(), rows=()):
        self.problems = list(problems)
        self.rows = list(rows)
        super().__init__("; ".join(m for _f, m in self.problems) or "register refused")


# --- Registers


def attribute_problems(attributes) -> list[str]:
    """Every problem of a list of attribute specs (see reference.models.Register)."""
    if not isinstance(attributes, list):
        return [_("Egenskaberne skal være en liste.")]
    problems, keys = [], set()
    registers = set(Register.objects.values_list("key", flat=True))
    for i, spec in enumerate(attributes, start=1):
        if not isinstance(spec, dict):
            problems.append(_("Egenskab %(n)d er ikke et objekt.") % {"n": i})
            continue
        key = spec.get("key")
        if not isinstance(key, str) or not ATTRIBUTE_KEY.match(key):
            problems.append(
                _("Egenskab %(n)d: nøglen skal være små bogstaver a-z, tal og _.") % {"n": i}
            )
        elif key in keys or key in RESERVED_ATTRIBUTE_KEYS:
            problems.append(_("Egenskab %(n)d: nøglen »%(key)s« er brugt.") % {"n": i, "key": key})
        keys.add(key)
        label = spec.get("label")
        if not isinstance(label, dict) or not isinstance(label.get("da"), str) or not label["da"]:
            problems.append(_("Egenskab %(n)d: der mangler en dansk etiket.") % {"n": i})
        kind = spec.get("type", "text")
        if kind not in ATTRIBUTE_TYPES:
            problems.append(
                _("Egenskab %(n)d: typen skal være en af %(types)s.")
                % {"n": i, "types": ", ".join(ATTRIBUTE_TYPES)}
            )
        if kind == "code" and spec.get("register") and spec["register"] not in registers:
            problems.append(
                _("Egenskab %(n)d peger på et register, der ikke findes: %(key)s.")
                % {"n": i, "key": spec["register"]}
            )
        if not isinstance(spec.get("categorical", False), bool):
            problems.append(
                _("Egenskab %(n)d: »categorical« skal være true eller false.") % {"n": i}
            )
    return problems


def register_problems(*, key, name, code_pattern, attributes) -> list[tuple[str, str]]:
    problems = []
    if not KEY_PATTERN.match(key or ""):
        problems.append(
            ("key", _("Nøglen skal være 2–40 små bogstaver a-z, tal og bindestreg, fx skoler."))
        )
    elif Register.objects.filter(key=key).exists():
        problems.append(("key", _("Der findes allerede et register med denne nøgle.")))
    if not (name or "").strip():
        problems.append(("name", _("Skriv registrets navn.")))
    try:
        re.compile(code_pattern or "")
    except re.error:
        problems.append(
            ("code_pattern", _("Mønsteret for koder er ikke et gyldigt regulært udtryk."))
        )
    if not code_pattern:
        problems.append(("code_pattern", _("Skriv et mønster for koderne, fx [0-9]{6}.")))
    problems += [("attributes", p) for p in attribute_problems(attributes)]
    return problems


def create_register(
    *,
    actor: User,
    ip: str | None = None,
    key: str,
    name: str,
    name_en: str = "",
    code_pattern: str,
    attributes: list,
    has_geometry: bool = False,
) -> Register:
    problems = register_problems(
        key=key, name=name, code_pattern=code_pattern, attributes=attributes
    )
    if problems:
        raise RegisterError(problems)
    with transaction.atomic():
        register = Register.objects.create(
            key=key,
            name=name.strip(),
            name_en=(name_en or "").strip(),
            code_pattern=code_pattern,
            attributes=attributes,
            has_geometry=has_geometry,
        )
        record("register.created", actor=actor, ip=ip, obj=register, detail={"key": key})
    return register


# --- Members


def _region_names():
    return dict(Organisation.objects.filter(register__key=REGIONER).values_list("code", "name"))


def _mirror(member: Organisation, regions: dict) -> list[str]:
    """A municipality's own columns from its attributes; the fields changed."""
    if member.register.key != KOMMUNER:
        return []
    region = member.attribute("region") or ""
    values = {
        "region_code": region,
        "region_name": regions.get(region, ""),
        "dst_group": member.attribute("dst_group") or "",
    }
    changed = [k for k, v in values.items() if getattr(member, k) != v]
    for k in changed:
        setattr(member, k, values[k])
    return changed


@dataclass(frozen=True)
class Applied:
    added: int
    changed: int
    deactivated: int
    deleted: int


def apply_members(
    register: Register,
    table: list[dict],
    *,
    actor: User | None,
    ip: str | None = None,
    remove_missing: bool = True,
) -> Applied:
    """Load the members of `table` (from reference.member_import.read_table) into the
    register: the plan is worked out again inside the transaction (so what is applied is
    what the database holds now) and applied whole, or not at all (RegisterError with the
    problems per row). Removed members still referenced are deactivated, never deleted."""
    with transaction.atomic():
        Register.objects.select_for_update().filter(pk=register.pk).first()
        plan: Plan = plan_members(register, table, remove_missing=remove_missing)
        if not plan.ok:
            raise RegisterError(rows=plan.problems)
        regions = _region_names()
        by_code = {r.code: r for r in plan.rows}
        new = []
        for row in plan.added:
            member = Organisation(
                register=register, code=row.code, name=row.name, attributes=row.attributes
            )
            _mirror(member, regions)
            new.append(member)
        Organisation.objects.bulk_create(new)
        changed = {c.code for c in plan.changed}
        for member in Organisation.objects.filter(register=register, code__in=changed):
            row = by_code[member.code]
            member.name, member.attributes, member.is_active = row.name, row.attributes, True
            _mirror(member, regions)
            member.save()
        deactivated = deleted = 0
        for member in plan.removed:
            if member.referenced:
                member.is_active = False
                member.save(update_fields=["is_active"])
                deactivated += 1
                continue
            try:
                with transaction.atomic():
                    member.delete()
                deleted += 1
            except ProtectedError:  # referenced after all: deactivated, never deleted
                member.is_active = False
                member.save(update_fields=["is_active"])
                deactivated += 1
        applied = Applied(len(new), len(changed), deactivated, deleted)
        record(
            "register.members_loaded",
            actor=actor,
            ip=ip,
            obj=register,
            detail={
                "added": applied.added,
                "changed": applied.changed,
                "deactivated": applied.deactivated,
                "deleted": applied.deleted,
            },
        )
    return applied


def save_member(
    register: Register,
    *,
    actor: User,
    ip: str | None = None,
    code: str,
    name: str,
    values: dict,
    is_active: bool = True,
    member: Organisation | None = None,
) -> Organisation:
    """Create a member, or change one (`member`; its code stays), checked by the same rules as
    a file's rows. RegisterError with (field, message) problems."""
    code = member.code if member is not None else (code or "").strip()
    name = (name or "").strip()
    attributes, problems = check_member(register, code, name, values, known_codes_for(register))
    if member is None and Organisation.objects.filter(register=register, code=code).exists():
        problems.append(_("Der findes allerede et medlem med koden »%(code)s«.") % {"code": code})
    if problems:
        raise RegisterError([("", p) for p in problems])
    with transaction.atomic():
        if member is None:
            member = Organisation(register=register, code=code)
        member.name, member.attributes, member.is_active = name, attributes, is_active
        _mirror(member, _region_names())
        member.save()
        record(
            "register.member_saved",
            actor=actor,
            ip=ip,
            obj=register,
            detail={"code": code, "active": is_active},
        )
    return member


# --- Selections


def save_selection(
    register: Register,
    *,
    actor: User | None,
    ip: str | None = None,
    name: str,
    codes: list[str],
    selection: Selection | None = None,
) -> Selection:
    """A named group of members of one register (e.g. the partnership's municipalities), usable
    as a round's recipients. Unknown codes are refused, every one named."""
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append(("name", _("Giv udvalget et navn.")))
    elif (
        Selection.objects.filter(register=register, name=name)
        .exclude(pk=getattr(selection, "pk", None))
        .exists()
    ):
        problems.append(("name", _("Der findes allerede et udvalg med dette navn.")))
    wanted = list(dict.fromkeys(c for c in codes if c))
    members = {
        m.code: m
        for m in Organisation.objects.filter(register=register, is_active=True, code__in=wanted)
    }
    unknown = [c for c in wanted if c not in members]
    if unknown:
        problems.append(
            ("codes", _("Ukendte koder: %(codes)s") % {"codes": ", ".join(unknown[:20])})
        )
    elif not wanted:
        problems.append(("codes", _("Skriv mindst én kode.")))
    if problems:
        raise RegisterError(problems)
    with transaction.atomic():
        if selection is None:
            selection = Selection.objects.create(register=register, name=name, created_by=actor)
        else:
            selection.name = name
            selection.save(update_fields=["name"])
        selection.members.set([members[c] for c in wanted])
        record(
            "selection.saved",
            actor=actor,
            ip=ip,
            obj=register,
            detail={"selection": name, "members": len(wanted)},
        )
    return selection
