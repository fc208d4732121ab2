"""Show-when (`relevant_when`): which questions a set of answers hides.

A question is shown when its own `relevant_when` and its section's both hold. A condition that
cannot be evaluated (a value it names is blank or hidden itself) does not hold, so the question
is hidden — as in XLSForm, where `${x} > 0` is false while `x` is empty. A hidden question is
absent: not required, its answer not stored, and rules, derived values and indicators do not
see it. The one place this is decided; submissions.validation, the form and the exports call it.

Import (surveys.definitions) refuses a show-when that depends on itself through other
questions or derived values, so the recursion here always ends.
"""

import functools

from surveys.rules import NotEvaluable, evaluate, unknown_names


@functools.lru_cache(maxsize=4096)
def names_in(expression: str) -> tuple:
    """The free names an expression reads (question and derived keys, `entries`)."""
    return tuple(unknown_names(expression, ()))


def conditions(spec, question) -> tuple:
    """The show-when expressions that must all hold for `question` to be shown."""
    out = []
    if question.section:
        section = spec.section(question.section)
        if section is not None and section.relevant_when:
            out.append(section.relevant_when)
    if question.relevant_when:
        out.append(question.relevant_when)
    return tuple(out)


def dependency_map(spec) -> dict:
    """{node: [keys]}: the question and derived keys the visibility of a question (with a
    show-when) or the value of a derived value depends on. Cached on the Spec
    (Spec.relevance_dependencies)."""
    questions = set(spec.question_keys)
    derived = {d.key for d in spec.derived}

    def known(expressions):
        names = dict.fromkeys(n for e in expressions for n in names_in(e))
        return [n for n in names if n in questions or n in derived]

    out = {d.key: known((d.expression,)) for d in spec.derived}
    for q in spec.questions:
        if conditions(spec, q):
            out[q.key] = known(conditions(spec, q))
    return out


def dependencies(spec, node) -> list:
    """The question and derived keys the visibility (question) or value (derived) of `node`
    depends on."""
    return spec.relevance_dependencies.get(node, [])


def find_cycle(spec):
    """A list of keys [a, b, …, a] where a's show-when depends on itself, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for dep in dependencies(spec, node):
            if state.get(dep) == "open":
                return stack[stack.index(dep) :] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for q in spec.questions:
        if q.key not in state and conditions(spec, q):
            found = visit(q.key)
            if found:
                return found
    return None


def hidden_questions(spec, values, *, invalid=frozenset()) -> set:
    """Keys of the questions `values` hides (one group of answers: a submission, or one entry
    of a survey with entries). `values` are the typed values of the valid answers; `invalid`
    the keys whose answer could not be read. A question whose show-when needs an invalid
    answer stays shown, so nothing typed is dropped because of a typo elsewhere."""
    if not spec.has_relevance:
        return set()
    derived = {d.key: d for d in spec.derived}
    shown, derived_values = {}, {}
    # Each condition's outcome, once per call: a section's show-when is asked by every question
    # in it, and it reads the same values each time (import counts it once per save).
    held = {}

    def holds(expression, env):
        if expression not in held:
            held[expression] = _holds(expression, env)
        return held[expression]

    def known(names):
        """The values these names have once hidden questions are taken away; None when one
        of them is an invalid (shown) answer."""
        env = {}
        for name in names:
            if name in derived:
                if name not in derived_values:
                    derived_values[name] = _derived(name)
                if derived_values[name] is not None:
                    env[name] = derived_values[name]
            elif is_shown(name):
                if name in invalid:
                    return None
                if name in values:
                    env[name] = values[name]
        return env

    def _derived(key):
        env = known(dependencies(spec, key))
        if env is None:
            return None
        try:
            value = evaluate(derived[key].expression, env)
        except NotEvaluable:
            return None
        return value if isinstance(value, float) else None

    def is_shown(key):
        if key in shown:
            return shown[key]
        shown[key] = True  # while deciding (import refuses cycles; this only guards)
        question = spec.question(key)
        exprs = conditions(spec, question) if question is not None else ()
        if exprs:
            env = known(dependencies(spec, key))
            if env is not None:
                shown[key] = all(holds(e, env) for e in exprs)
        return shown[key]

    return {q.key for q in spec.questions if not is_shown(q.key)}


def _holds(expression, env):
    try:
        return evaluate(expression, env) is True
    except NotEvaluable:
        return False
