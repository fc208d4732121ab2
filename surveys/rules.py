"""The rule language: CEL (Common Expression Language) via cel-python.

CEL is specified, safe and not Turing-complete: expressions are parsed into a tree and
interpreted, never handed to Python's eval/exec. We add two functions the definitions need:
`sum(list)` and `count(list)`. Every failure surfaces as RuleError (compile time) or as a
"not evaluable" result (evaluation time, e.g. a value the officer has not typed yet).

Numbers are given to CEL as doubles, so `enrolled <= 0.2 * pupils_8_9` works without casts;
dates as timestamps, so `end_date >= start_date` compares dates.
"""

import datetime as dt
import functools
import re
from decimal import Decimal

import celpy
import lark
from celpy import celtypes

MAX_EXPRESSION_LENGTH = 2000
# Static cost bounds, checked at import (surveys.definitions) so that no rule can make a save
# slow: CEL's comprehensions (all, exists, exists_one, map, filter) multiply their body's work
# by the length of the list they run over, and nesting multiplies again.
#
# The cost is counted in steps of about the same CPU time in cel-python's interpreter
# (≈ 15 µs each on the benchmark machine, `make bench` → rules_worst_save_n200_ms): a node
# (operator, name, literal) is one step, a function or method call (size, matches, sum …)
# CALL_STEPS, each item a comprehension runs its body for ITEM_STEPS more (cel-python makes a
# new activation per item), and each evaluation of an expression EVALUATION_STEPS (the
# activation built from the values). MAX_DEFINITION_COST is what all of a definition's
# expressions may cost for one save at its entries cap, sized so that the worst definition
# the bounds allow validates 200 entries in well under 100 ms (docs/deploy.md).
MAX_NODES = 200  # operators, names and literals in one expression
MAX_COMPREHENSION_DEPTH = 1  # a comprehension inside another is refused
MAX_LIST_LITERAL = 100  # items in a [..] literal
CALL_STEPS = 5
ITEM_STEPS = 10
EVALUATION_STEPS = 3
MAX_COST = 3500  # steps of one evaluation of one expression
MAX_DEFINITION_COST = 3500  # all of a definition's expressions for one save, entry rules × cap
UNKNOWN_LIST_LENGTH = 100  # a list whose length the definition does not bound
COMPREHENSIONS = frozenset({"all", "exists", "exists_one", "map", "filter"})
CALLS = frozenset({"member_dot_arg", "ident_arg", "dot_ident_arg"})


class RuleError(Exception):
    """A rule expression that cannot be compiled or does not fit the definition."""


class NotEvaluable(Exception):
    """The expression could not be evaluated with these values (missing value, 0 divisor …)."""


def _cel_sum(values):
    total = celtypes.DoubleType(0)
    for v in values:
        if isinstance(v, celtypes.BoolType) or not isinstance(
            v, celtypes.DoubleType | celtypes.IntType | celtypes.UintType
        ):
            raise TypeError("sum() takes a list of numbers")
        total = celtypes.DoubleType(float(total) + float(v))
    return total


def _cel_count(values):
    return celtypes.DoubleType(len(values))


_NUMBERS = (celtypes.DoubleType, celtypes.IntType, celtypes.UintType)


def _is_number(v):
    return isinstance(v, _NUMBERS) and not isinstance(v, celtypes.BoolType)


def _cel_eq(a, b):
    """Answers are given to CEL as doubles, literals are ints: `a + b == 100` must compare
    the numbers (CEL's strict typing would refuse double == int)."""
    if _is_number(a) and _is_number(b):
        return celtypes.BoolType(float(a) == float(b))
    return celpy.evaluation.bool_eq(a, b)


def _cel_ne(a, b):
    if _is_number(a) and _is_number(b):
        return celtypes.BoolType(float(a) != float(b))
    return celpy.evaluation.bool_ne(a, b)


FUNCTIONS = {"sum": _cel_sum, "count": _cel_count, "_==_": _cel_eq, "_!=_": _cel_ne}


class _Runner(celpy.InterpretedRunner):
    """cel-python's interpreter, with the base activation (the environment's annotations and
    our functions) built once per compiled expression instead of on every evaluation, which
    was about half the cost of evaluating a short rule. Each evaluation still works on its
    own copy of it (Evaluator.set_activation clones the base and loads the values), so
    nothing one evaluation binds is seen by another."""

    def __init__(self, environment, ast, functions=None):
        super().__init__(environment, ast, functions)
        self._base = self.new_activation()

    def evaluate(self, context):
        evaluator = celpy.evaluation.Evaluator(ast=self.ast, activation=self._base)
        evaluator.set_activation(context or {})
        value = evaluator.visit(self.ast)
        if isinstance(value, celpy.evaluation.CELEvalError):
            raise value
        return value


_ENV = celpy.Environment(runner_class=_Runner)


@functools.lru_cache(maxsize=2048)
def compile_expression(expression: str):
    """Compile once per process; raises RuleError with the position of a syntax error."""
    if not isinstance(expression, str) or not expression.strip():
        raise RuleError("empty expression")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise RuleError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        ast = _ENV.compile(expression)
        return _ENV.program(ast, functions=FUNCTIONS)
    except RecursionError:
        raise RuleError("expression nested too deeply")
    except Exception as exc:  # cel-python raises CELParseError and lark errors
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RuleError(f"syntax error: {first_line}")


def _children(tree):
    return [c for c in tree.children if isinstance(c, lark.Tree)]


def _node_count(tree):
    """Operators, names and literals: lark's tree with the grammar's pass-through levels
    (expr → conditionalor → … → primary, one child each) not counted."""
    own = 0 if len(tree.children) == 1 and isinstance(tree.children[0], lark.Tree) else 1
    return own + sum(_node_count(c) for c in _children(tree))


def _comprehension(tree):
    """(macro name, range subtree, body subtrees) for `range.all(x, body)` and friends."""
    if tree.data != "member_dot_arg" or len(tree.children) < 3:
        return None
    name = str(tree.children[1])
    if name not in COMPREHENSIONS:
        return None
    args = _children(tree.children[2]) if isinstance(tree.children[2], lark.Tree) else []
    return name, tree.children[0], args[1:]


def _range_length(tree, list_lengths):
    """How long the list a comprehension runs over can be."""
    leaves = list(tree.scan_values(lambda v: isinstance(v, lark.Token)))
    if len(leaves) == 1 and leaves[0].type == "IDENT":
        return list_lengths.get(str(leaves[0]), UNKNOWN_LIST_LENGTH)
    literal = next(tree.find_data("list_lit"), None)
    if literal is not None and _node_count(tree) == _node_count(literal):
        exprlist = _children(literal)
        return len(_children(exprlist[0])) if exprlist else 0
    return UNKNOWN_LIST_LENGTH


def _cost(tree, list_lengths, depth=0):
    """Steps evaluated in the worst case; raises RuleError past the nesting depth."""
    found = _comprehension(tree)
    if found is None:
        own = 0 if len(tree.children) == 1 and isinstance(tree.children[0], lark.Tree) else 1
        if tree.data in CALLS:
            own = CALL_STEPS
        return own + sum(_cost(c, list_lengths, depth) for c in _children(tree))
    if depth >= MAX_COMPREHENSION_DEPTH:
        raise RuleError(f"comprehensions ({found[0]}) inside another comprehension are not allowed")
    name, range_tree, body = found
    length = _range_length(range_tree, list_lengths)
    inner = sum(_cost(b, list_lengths, depth + 1) for b in body)
    return 1 + _cost(range_tree, list_lengths, depth) + length * (max(inner, 1) + ITEM_STEPS)


def check_cost(expression: str, list_lengths=None):
    """Refuse an expression whose evaluation could be expensive, before it is ever run:
    too many nodes, a long list literal, nested comprehensions or too much work in total.
    `list_lengths` bounds the lists the expression may run over (`entries` → entries.max)."""
    # The tree of the compiled (cached) program: an expression is parsed once, not again here.
    tree = compile_expression(expression).ast if isinstance(expression, str) else expression
    nodes = _node_count(tree)
    if nodes > MAX_NODES:
        raise RuleError(f"expression too complex ({nodes} parts; at most {MAX_NODES})")
    for literal in tree.find_data("list_lit"):
        exprlist = _children(literal)
        items = len(_children(exprlist[0])) if exprlist else 0
        if items > MAX_LIST_LITERAL:
            raise RuleError(f"list with {items} items; at most {MAX_LIST_LITERAL}")
    cost = EVALUATION_STEPS + _cost(tree, list_lengths or {})
    if cost > MAX_COST:
        raise RuleError(
            f"expression too expensive to evaluate (up to {cost} steps; at most {MAX_COST})"
        )
    return cost


def to_cel(value):
    """Convert a cleaned answer value to a CEL value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int | float | Decimal):
        return celtypes.DoubleType(float(value))
    if isinstance(value, dt.datetime):
        return celtypes.TimestampType(value)
    if isinstance(value, dt.date):
        return celtypes.TimestampType(
            dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        )
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, list | tuple):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, dict):
        return celtypes.MapType(
            {celtypes.StringType(k): to_cel(v) for k, v in value.items() if v is not None}
        )
    raise TypeError(f"unsupported value {type(value).__name__}")


def from_cel(value):
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.DoubleType | celtypes.IntType | celtypes.UintType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    return value


class Bound(dict):
    """Values converted to CEL once (bind), for evaluating several expressions on them."""


def bind(variables: dict) -> Bound:
    """The (cleaned) values as CEL values; missing values are simply absent."""
    return Bound({k: to_cel(v) for k, v in variables.items() if v is not None})


def evaluate(expression: str, variables: dict):
    """Evaluate with the given (cleaned) values, or values already bound (bind) when several
    expressions run on the same ones. Missing values are simply absent.

    Returns a Python bool/float/str. Raises NotEvaluable when CEL cannot produce a value
    (an absent variable, division by zero, a type mismatch)."""
    program = compile_expression(expression)
    activation = variables if isinstance(variables, Bound) else bind(variables)
    try:
        result = program.evaluate(activation)
    except RecursionError:
        raise NotEvaluable("too deep")
    except Exception as exc:  # CELEvalError and friends
        # Bounded: cel-python's messages can embed the whole activation (every variable).
        raise NotEvaluable((str(exc) or type(exc).__name__)[:300])
    if isinstance(result, Exception):
        raise NotEvaluable(str(result)[:200])
    value = from_cel(result)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise NotEvaluable("not a finite number")
    return value


_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_IDENT = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\b(?!\s*\()")
_MACRO_VAR = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)")
_RESERVED = {"true", "false", "null", "in"}


def unknown_names(expression: str, known) -> list:
    """Free names in an expression that are not known variables (string literals, fields
    after a dot, function names and macro variables such as `e` in `entries.all(e, …)` are
    not free names)."""
    code = _STRING_LITERAL.sub("''", expression)
    bound = set(_MACRO_VAR.findall(code))
    names = dict.fromkeys(_IDENT.findall(code))
    return [n for n in names if n not in known and n not in bound and n not in _RESERVED]


def _used_values(expression: str, sample: dict) -> Bound:
    """The sample values of the names the expression mentions, bound for CEL: a trial run
    then converts and loads a handful of values, not every question of the definition for
    every expression (which made validating a large definition quadratic)."""
    code = _STRING_LITERAL.sub("''", expression)
    return bind({n: sample[n] for n in dict.fromkeys(_IDENT.findall(code)) if n in sample})


def check_expression(expression: str, sample: dict, *, expect_bool: bool, list_lengths=None):
    """Bound its cost, compile and trial-run an expression against sample values of the
    right types, so a typo in a variable name or a type mistake is reported at import, not at
    fill-in, and no expression can make a save slow."""
    compile_expression(expression)
    cost = check_cost(expression, list_lengths)
    unknown = unknown_names(expression, sample)
    if unknown:
        raise RuleError(f"unknown name '{unknown[0]}'")
    try:
        try:
            value = evaluate(expression, _used_values(expression, sample))
        except NotEvaluable:
            # Not evaluable on the names it mentions (a name the quick scan does not see, such
            # as CEL's `.name`, or a real problem): run it as before, on every sample value, so
            # what is said about it is exactly what it always was.
            value = evaluate(expression, sample)
    except NotEvaluable as exc:
        message = str(exc)
        if "undeclared reference to " in message:
            name = message.split("undeclared reference to ", 1)[-1].strip("\\'\"")
            name = name.split("'", 1)[0].split("\\", 1)[0]
            raise RuleError(f"unknown name '{name}'")
        if "does not support field selection" in message:
            raise RuleError("only entries have fields (e.field); other values do not")
        if "no matching overload" in message or "no such overload" in message:
            raise RuleError("the values in the expression cannot be combined like that (types)")
        return cost  # e.g. division by zero on sample values: the expression itself is fine
    if expect_bool and not isinstance(value, bool):
        raise RuleError("a rule must be a condition that is true or false")
    if not expect_bool and isinstance(value, bool | str):
        raise RuleError("a derived value must be a number")
    return cost
