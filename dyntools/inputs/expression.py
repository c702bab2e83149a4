r"""User-given densities, parsed against a whitelist and never evaluated.

The text is parsed by Python's :mod:`ast` (parsing runs no code) and the SymPy expression is
built from the tree node by node. Allowed:

- numbers (integers and decimals; ``1/4`` is the exact rational 1/4), the symbol ``x``, the
  constants ``pi`` and ``E``;
- ``+ - * / **``, unary minus and plus, parentheses;
- calls, by plain name and with positional arguments only, of :data:`FUNCTIONS`.

Everything else (other names, attribute access, subscripts, keyword arguments, lambdas,
comprehensions, strings, comparisons, ...) is refused with a one-line :class:`DyntoolsError`.
Sizes are bounded so that building the expression is always fast: at most
:data:`MAX_CHARACTERS` characters and :data:`MAX_NODES` tree nodes, numbers of magnitude at most
:data:`MAX_NUMBER`, powers of two numbers of at most :data:`MAX_DIGITS` digits, and gamma of a
number of magnitude at most :data:`MAX_GAMMA` (so that ``9**9**9**9`` or ``gamma(10**6)`` cannot
make SymPy compute a giant integer).
"""

from __future__ import annotations

import ast
import math

import sympy as sp

from ..errors import DyntoolsError

x = sp.Symbol("x", real=True)
FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "Abs": sp.Abs, "abs": sp.Abs, "cosh": sp.cosh,
    "sinh": sp.sinh, "tanh": sp.tanh, "cos": sp.cos, "sin": sp.sin, "atan": sp.atan, "gamma": sp.gamma,
    "erf": sp.erf, "erfc": sp.erfc,
}
CONSTANTS = {"x": x, "pi": sp.pi, "E": sp.E}
OPERATORS = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul, ast.Div: lambda a, b: a / b,
             ast.Pow: sp.Pow}
MAX_CHARACTERS = 500
MAX_NODES = 200
MAX_NUMBER = 1e6
MAX_DIGITS = 1000  # a power of two numbers may have at most this many decimal digits
MAX_GAMMA = 171  # SymPy evaluates gamma of an integer exactly: n! with n up to here only
ALLOWED = (f"use x, numbers, pi, E, + - * / ** and parentheses, and calls of {', '.join(sorted(FUNCTIONS))}")


def parse_density(text: str) -> sp.Expr:
    """The SymPy expression of a density in ``x`` written as ``text``.

    Parsed node by node against the whitelist of the module docstring; nothing is evaluated.

    Arguments:
        text: the density, e.g. ``"exp(-x**2/2)/sqrt(2*pi)"``; at most ``MAX_CHARACTERS``
            characters and ``MAX_NODES`` syntax nodes.

    Returns:
        The expression in the real symbol ``x``.

    Raises:
        DyntoolsError: (one line: what is not allowed, and what is) for anything outside the
            whitelist or the size bounds, or an expression that is infinite or undefined.
    """
    if not isinstance(text, str):
        raise DyntoolsError(f"a density is text in x (got {type(text).__name__})")
    if len(text) > MAX_CHARACTERS:
        raise DyntoolsError(f"density is {len(text)} characters long; at most {MAX_CHARACTERS} are allowed")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        raise DyntoolsError(f"could not parse density {text!r}: {ALLOWED}") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise DyntoolsError(f"density has {nodes} syntax nodes; at most {MAX_NODES} are allowed")
    expr = _build(tree.body)
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise DyntoolsError(f"density {text!r} is infinite or undefined (a division by zero?)")
    return expr


def _build(node: ast.AST) -> sp.Expr:
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            raise DyntoolsError(f"density may only depend on x (found the name {node.id!r}); {ALLOWED}")
        return CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left, right = _build(node.left), _build(node.right)
        if isinstance(node.op, ast.Pow) and left.is_number and right.is_number:
            _check_power(left, right)
        return OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.Call):
        return _call(node)
    raise DyntoolsError(f"density may not contain {_describe(node)}; {ALLOWED}")


def _number(value) -> sp.Expr:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DyntoolsError(f"density may not contain the constant {value!r}; {ALLOWED}")
    if not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
        raise DyntoolsError(f"numbers in a density must be finite and at most {MAX_NUMBER:g} in magnitude (got {value!r})")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


def _check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """SymPy evaluates number ** number exactly: bound the digits of the result first."""
    base_size = _magnitude(base)
    digits = _magnitude(exponent) * abs(math.log10(base_size)) if base_size > 0 else 0.0
    if not digits <= MAX_DIGITS:
        raise DyntoolsError(f"a power of numbers in a density may have at most {MAX_DIGITS} digits")


def _magnitude(number: sp.Expr) -> float:
    """|number| as a float; inf where it is infinite or not a plain number (zoo, nan)."""
    try:
        value = abs(complex(number.evalf(30)))
    except (TypeError, ValueError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def _call(node: ast.Call) -> sp.Expr:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = node.func.id if isinstance(node.func, ast.Name) else _describe(node.func)
        raise DyntoolsError(f"density may not call {name}; {ALLOWED}")
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise DyntoolsError(f"density functions take positional arguments only ({node.func.id}); {ALLOWED}")
    args = [_build(arg) for arg in node.args]
    if node.func.id == "gamma" and args and args[0].is_number and not _magnitude(args[0]) <= MAX_GAMMA:
        raise DyntoolsError(f"gamma of a number in a density must be at most {MAX_GAMMA} in magnitude")
    try:
        return FUNCTIONS[node.func.id](*args)
    except TypeError:  # wrong number of arguments
        raise DyntoolsError(f"wrong number of arguments to {node.func.id} in the density") from None


def _describe(node: ast.AST) -> str:
    """A short, user-facing name for a syntax node."""
    names = {ast.Attribute: "attribute access (.)", ast.Subscript: "subscripts ([])", ast.Lambda: "lambda",
             ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if-else", ast.JoinedStr: "f-strings",
             ast.NamedExpr: ":=", ast.Starred: "starred arguments", ast.Tuple: "tuples", ast.List: "lists"}
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return "comprehensions"
    return names.get(type(node), f"{type(node).__name__} expressions")
