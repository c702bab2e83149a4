r"""User-given densities, parsed against a whitelist and never evaluated.

The text is parsed by Python's :mod:`ast` (parsing runs no code) and the SymPy expression is
built from the tree node by node. Allowed:

- numbers (integers and decimals; ``1/4`` is the exact rational 1/4), the symbol ``x``, the
  constants ``pi`` and ``E``;
- ``+ - * / **``, unary minus and plus, parentheses;
- calls, by plain name and with positional arguments only, of :data:`FUNCTIONS`.

Everything else (other names, attribute access, subscripts, keyword arguments, lambdas,
comprehensions, strings, comparisons, ...) is refused with a one-line :class:`DyntoolsError`.
Sizes are bounded so that building the expression is always fast and every number in it is a
float64: at most :data:`MAX_CHARACTERS` characters and :data:`MAX_NODES` tree nodes; written
numbers of magnitude at most :data:`MAX_NUMBER`; every number computed from written numbers
(``10**200``, ``exp(3)``, ``2*pi``) zero or of magnitude between ``10**-MAX_LOG10`` and
``10**MAX_LOG10``, a power of numbers checked *before* SymPy computes it (so that ``9**9**9**9``
cannot make SymPy compute a giant integer); numerical exponents at most :data:`MAX_EXPONENT` in
magnitude; and gamma of a number at most :data:`MAX_GAMMA`. Messages quote the user's text with
``repr`` (a newline in it cannot split the one-line error).
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
MAX_NUMBER = 1e6  # written numbers
MAX_LOG10 = 300  # numbers computed from written numbers: 0 or 10**-300 to 10**300 in magnitude (float64)
MAX_EXPONENT = 1e6  # numerical exponents, of x or of numbers
MAX_GAMMA = 171  # SymPy evaluates gamma of an integer exactly: n! with n up to here only
SIZES = (f"written numbers must be at most {MAX_NUMBER:g} in magnitude, numbers computed from them 0 or between "
         f"1e-{MAX_LOG10} and 1e+{MAX_LOG10}, exponents at most {MAX_EXPONENT:g}")
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
    return _build(tree.body)


def _build(node: ast.AST) -> sp.Expr:
    """The SymPy expression of one syntax node, its numbers checked (see `_check_number`).

    Arguments:
        node: a node of the parsed text.

    Returns:
        The expression.

    Raises:
        DyntoolsError: for anything outside the whitelist or the size bounds.
    """
    expr = _build_node(node)
    if expr.is_number:
        _check_number(expr, node)
    return expr


def _build_node(node: ast.AST) -> sp.Expr:
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
        if isinstance(node.op, ast.Pow) and right.is_number:
            _check_power(left, right, node)
        return OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.Call):
        return _call(node)
    raise DyntoolsError(f"density may not contain {_describe(node)}; {ALLOWED}")


def _number(value) -> sp.Expr:
    """A written number as an exact SymPy integer or a SymPy float.

    Arguments:
        value: the constant of an ``ast.Constant`` node.

    Returns:
        ``Integer`` or ``Float``.

    Raises:
        DyntoolsError: for a non-number, or a number beyond `MAX_NUMBER` (compared exactly:
            a 400-digit integer is never converted to a float).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DyntoolsError(f"density may not contain the constant {_shorten(repr(value))}; {ALLOWED}")
    if not abs(value) <= MAX_NUMBER:
        raise DyntoolsError(f"numbers in a density must be finite and at most {MAX_NUMBER:g} in magnitude "
                            f"(got {_shorten(repr(value))})")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


def _check_power(base: sp.Expr, exponent: sp.Expr, node: ast.BinOp) -> None:
    """Refuse ``base ** exponent`` (numerical exponent) before SymPy computes it.

    Arguments:
        base: the base (a number or an expression in x).
        exponent: the numerical exponent, already checked by `_check_number`.
        node: the power's syntax node, quoted in messages.

    Raises:
        DyntoolsError: if the exponent exceeds `MAX_EXPONENT`, or the base is a number and the
            power's magnitude would lie outside ``10**-MAX_LOG10 .. 10**MAX_LOG10``.
    """
    if not _log10_size(exponent) <= math.log10(MAX_EXPONENT):
        raise DyntoolsError(f"the exponent in {_source(node)} is too large: {SIZES}")
    if base.is_number and base != 0:
        size = float(sp.re(exponent.evalf(30))) * _log10_size(base)  # log10 of |power|
        if not abs(size) <= MAX_LOG10:
            raise DyntoolsError(f"{_source(node)} in the density would be about 10**{size:.6g}: {SIZES}")


def _check_number(number: sp.Expr, node: ast.AST) -> None:
    """Refuse a number (written, or computed from written numbers) that is not a usable float64.

    Arguments:
        number: the SymPy number of ``node``.
        node: its syntax node, quoted in messages.

    Raises:
        DyntoolsError: if it is infinite or undefined, or nonzero with magnitude outside
            ``10**-MAX_LOG10 .. 10**MAX_LOG10``.
    """
    value = number.evalf(30)
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise DyntoolsError(f"{_source(node)} in the density is infinite or undefined (a division by zero?)")
    size = _log10_size(value)
    if value != 0 and not -MAX_LOG10 <= size <= MAX_LOG10:
        raise DyntoolsError(f"{_source(node)} in the density is about 10**{size:.6g}: {SIZES}")


def _log10_size(number: sp.Expr) -> float:
    """log10 of |number| (-inf for 0; inf where it is not a plain number), without float overflow."""
    magnitude = sp.Abs(number.evalf(30))
    if not (magnitude.is_Number and magnitude.is_finite):
        return math.inf
    return -math.inf if magnitude == 0 else float(sp.log(magnitude) / math.log(10))


def _source(node: ast.AST, limit: int = 40) -> str:
    """The user's text of a syntax node, quoted and shortened for a one-line message."""
    return _shorten(repr(ast.unparse(node)), limit)


def _shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit - 10]}...{text[-6:]} ({len(text)} characters)"


def _call(node: ast.Call) -> sp.Expr:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = node.func.id if isinstance(node.func, ast.Name) else _describe(node.func)
        raise DyntoolsError(f"density may not call {name}; {ALLOWED}")
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise DyntoolsError(f"density functions take positional arguments only ({node.func.id}); {ALLOWED}")
    args = [_build(arg) for arg in node.args]
    if node.func.id == "gamma" and args and args[0].is_number and not _log10_size(args[0]) <= math.log10(MAX_GAMMA):
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
