"""Loaded by schemathesis in the black-box run (SCHEMATHESIS_HOOKS, tests/api/blackbox.py).

The Python of this machine and of CI (3.11.7) has a bug in `ast.parse`: parsing a large module
deep in the call stack can raise `SystemError: AST constructor recursion depth mismatch`.
Hypothesis parses schemathesis's own source to describe a lambda for a strategy's repr, so the
run stopped with a "Runtime Error" in the coverage phase that has nothing to do with our API.
The description is only a label: when the parse fails this way, Hypothesis gets the same
placeholder it uses when it cannot find a lambda's source, and every request is still generated
and checked.
"""

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _lambda_description(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _lambda_description
