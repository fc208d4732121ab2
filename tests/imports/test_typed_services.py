"""The project's rule for services and selectors: fully typed, options keyword-only. Checked
for the public functions of the imports app and of exports.datasets (whose signatures keep
their positional options: annotations only, its callers are unchanged)."""

import inspect

import pytest

import exports.datasets
import imports.api
import imports.audit_names
import imports.plan
import imports.reader
import imports.services
import imports.template

MODULES = [
    imports.services,
    imports.plan,
    imports.reader,
    imports.template,
    imports.audit_names,
    exports.datasets,
]
# The API module's helpers that are part of the app's interface (its views are classes).
EXTRA = [imports.api.plan_data, imports.api.import_data]


def public_functions():
    for module in MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                yield fn
    yield from EXTRA


FUNCTIONS = list(public_functions())


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_every_parameter_and_the_return_are_annotated(fn):
    signature = inspect.signature(fn)
    missing = [p.name for p in signature.parameters.values() if p.annotation is p.empty]
    assert not missing, f"{fn.__name__}: parameters without a type: {missing}"
    assert signature.return_annotation is not signature.empty, f"{fn.__name__}: no return type"


@pytest.mark.parametrize(
    "fn",
    [f for f in FUNCTIONS if f.__module__.startswith("imports.")],
    ids=lambda f: f"{f.__module__}.{f.__name__}",
)
def test_options_after_the_first_two_are_keyword_only(fn):
    positional = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    assert len(positional) <= 2, f"{fn.__name__}: positional {positional}"


def test_the_check_sees_the_services():
    names = {f.__name__ for f in FUNCTIONS}
    assert {"upload", "dry_run", "apply", "undo", "plan_rows", "wide_rows", "records"} <= names
