"""XLSForm's XPath expressions ⇄ our CEL expressions, only where the two say the same thing.

The one-to-one part: `${x}` ⇄ `x`, `and`/`or` ⇄ `&&`/`||`, `not(…)` ⇄ `!(…)`, `=` ⇄ `==`,
`div` ⇄ `/`, `mod` ⇄ `%`, `count(…)`, `true()`/`false()` ⇄ `true`/`false`, `.` (the question
itself) ⇄ its key, numbers, strings in quotes, comparisons, `+ - *` and parentheses. Anything
else (paths, other functions, `selected()`, CEL's macros) is refused with the part that could
not be translated, never dropped. Whitespace is kept as written, so a translated expression
translates back to exactly the same text.
"""

import re

_XPATH_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.-]*)
  | (?P<dot>\.)
    """,
    re.VERBOSE,
)
_CEL_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>'[^'\\]*'|"[^"\\]*")
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||<|>|\+|-|\*|/|%|\(|\)|,|!)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)
_XPATH_WORDS = {"and": "&&", "or": "||", "div": "/", "mod": "%"}
_CEL_WORDS = {v: k for k, v in _XPATH_WORDS.items()}
_XPATH_OPS = {"=": "=="}
_CEL_OPS = {"==": "="}


class Untranslatable(Exception):
    """`part` is the piece of the expression that has no one-to-one translation."""

    def __init__(self, part):
        self.part = part
        super().__init__(part)


def _tokens(pattern, expression):
    pos, out = 0, []
    while pos < len(expression):
        match = pattern.match(expression, pos)
        if match is None:
            raise Untranslatable(expression[pos : pos + 20])
        out.append((match.lastgroup if match.lastgroup != "refname" else "ref", match))
        pos = match.end()
    return out


def _next_significant(tokens, i):
    for kind, match in tokens[i + 1 :]:
        if kind != "ws":
            return match.group()
    return None


def xpath_to_cel(expression: str, *, current: str | None = None) -> str:
    """The CEL for an XLSForm expression; `current` is the key `.` stands for (the question a
    constraint belongs to). Raises Untranslatable with the part that does not translate."""
    tokens = _tokens(_XPATH_TOKEN, expression)
    out, skip = [], 0
    for i, (kind, match) in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        text = match.group()
        if kind == "ref":
            name = match.group("refname").strip()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise Untranslatable(text)
            out.append(name)
        elif kind == "dot":
            if current is None:
                raise Untranslatable(text)
            out.append(current)
        elif kind == "op":
            out.append(_XPATH_OPS.get(text, text))
        elif kind == "name":
            following = _next_significant(tokens, i)
            if text in _XPATH_WORDS:
                out.append(_XPATH_WORDS[text])
            elif text == "not" and following == "(":
                out.append("!")
            elif text == "count" and following == "(":
                out.append("count")
            elif text in ("true", "false") and expression[match.end() : match.end() + 2] == "()":
                out.append(text)
                skip = 2  # the "(" and ")" tokens
            else:
                raise Untranslatable(f"{text}(" if following == "(" else text)
        else:
            out.append(text)
    return "".join(out)


def cel_to_xpath(expression: str, names) -> str | None:
    """The XLSForm expression for a CEL expression whose every part has a one-to-one XPath
    form and that translates back to exactly the same CEL; None otherwise (the caller keeps
    the CEL in its own column). `names` are the question and derived keys."""
    try:
        tokens = _tokens(_CEL_TOKEN, expression)
    except Untranslatable:
        return None
    out = []
    for i, (kind, match) in enumerate(tokens):
        text = match.group()
        following = _next_significant(tokens, i)
        if kind == "op":
            if text == "!":
                if following != "(":
                    return None
                out.append("not")
            elif text in _CEL_WORDS:
                word = _CEL_WORDS[text]
                before = "" if (out and out[-1][-1:].isspace()) else " "
                after = "" if (i + 1 < len(tokens) and tokens[i + 1][0] == "ws") else " "
                out.append(f"{before}{word}{after}")
            else:
                out.append(_CEL_OPS.get(text, text))
        elif kind == "name":
            if following == "(":
                if text != "count":
                    return None
                out.append(text)
            elif text in ("true", "false"):
                out.append(f"{text}()")
            elif text in names:
                out.append("${" + text + "}")
            else:
                return None
        else:
            out.append(text)
    xpath = "".join(out)
    try:
        return xpath if xpath_to_cel(xpath) == expression else None
    except Untranslatable:
        return None
