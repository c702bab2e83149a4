"""The registries of files: a package whose public modules each define one entry (a network, a
baseline, an amplifier form), named after the file, so that adding an entry is adding a file. The names are read
from the file names without importing anything, not even the package: the command line lists
them for its help and choices from here, light to import.

Another package adds entries through Python entry points, in the registry's group
(``dyntools.networks``, ``dyntools.baselines``, ``dyntools.amplifiers``, and
``dyntools.families`` for pixel marginals, see `plugin_families`)::

    [project.entry-points."dyntools.baselines"]
    pca = "my_package.pca:PCA"

(``examples/plugin/`` is such a package). A plug-in cannot replace a built-in entry of the
same name."""

from __future__ import annotations

import ast
import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib import import_module, metadata
from pathlib import Path

from .errors import DyntoolsError


@dataclass(frozen=True)
class FileRegistry:
    """The entries of a package: its modules not starting with ``_``, each defining one subclass
    of a base class; ``two_layer.py`` is the entry ``two-layer``.

    Attributes:
        package: the package, e.g. ``"dyntools.simulations.networks"``.
        base: ``"MODULE:CLASS"``, the base class, relative to the package (``"._base:Network"``).
        what: what an entry is, for messages (``"network"``).
        group: the entry-point group through which other packages add entries.
    """

    package: str
    base: str
    what: str
    group: str

    def names(self) -> tuple[str, ...]:
        """The entry names, sorted: the package's files, then the plug-ins' (read once)."""
        return _entry_names(self.package) + tuple(n for n in _plugins(self.group) if n not in _entry_names(self.package))

    def attributes(self, name: str) -> dict[str, object]:
        """The class attributes of entry ``name`` whose values are literals (its ``description``,
        a baseline's ``default_lambda``, ...), inherited ones included, read from the source
        without importing it (see `literal_attributes`): the command line's help shows them,
        and ``--help`` imports no JAX. The base class's literals fill in what the entry's class
        does not say. ``{}`` for an entry whose class cannot be found this way."""
        module_name, class_name = self.base.split(":")
        base = literal_attributes(_absolute(module_name, self.package), class_name)
        if name in _entry_names(self.package):
            module = f"{self.package}.{name.replace('-', '_')}"
            found = [c for c in _classes(module) if _inherits(module, c, (_absolute(module_name, self.package), class_name))]
            return base | literal_attributes(module, found[0]) if len(found) == 1 else {}
        entry = _plugins(self.group).get(name)
        if entry is None or not entry.attr:
            return {}
        return base | literal_attributes(entry.module, entry.attr)

    def description(self, name: str) -> str:
        """Entry ``name``'s one-line ``description`` (read without importing it; "" if none is
        written as a literal)."""
        text = self.attributes(name).get("description")
        return " ".join(text.split()) if isinstance(text, str) else ""

    def descriptions(self) -> dict[str, str]:
        """``{name: description}`` of every entry, in the order of `names`."""
        return {name: self.description(name) for name in self.names()}

    def get(self, name: str) -> type:
        """The class entry ``name`` defines (its module is imported now).

        Raises:
            DyntoolsError: for an unknown name, listing the known ones; for a file that defines
                no subclass of the base or more than one, or a plug-in that is not a subclass.
        """
        if name not in self.names():
            raise DyntoolsError(f"unknown {self.what} '{name}'; choose one of: {', '.join(self.names())}")
        module_name, class_name = self.base.split(":")
        base = getattr(import_module(module_name, self.package), class_name)
        if name not in _entry_names(self.package):
            return self._plugin(name, base)
        module = import_module(f"{self.package}.{name.replace('-', '_')}")
        found = [cls for cls in vars(module).values()
                 if isinstance(cls, type) and issubclass(cls, base) and cls.__module__ == module.__name__]
        if len(found) != 1:
            raise DyntoolsError(f"{self.what} file {module.__file__} must define exactly one {class_name} subclass "
                                f"(found {len(found)}{': ' if found else ''}{', '.join(c.__name__ for c in found)})")
        return found[0]

    def _plugin(self, name: str, base: type) -> type:
        entry = _plugins(self.group)[name]
        try:
            cls = entry.load()
        except Exception as error:  # a plug-in's own import error, named, not a dyntools crash
            raise DyntoolsError(f"plug-in {self.what} '{name}' ({entry.value}) cannot be loaded: "
                                f"{type(error).__name__}: {error}") from None
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise DyntoolsError(f"plug-in {self.what} '{name}' ({entry.value}) is not a {base.__name__} subclass")
        return cls


def own_options(cls: type, base_arguments: tuple[str, ...]) -> tuple[str, ...]:
    """The options an entry class takes beyond what every entry of its registry is given: its
    constructor's keyword arguments other than ``base_arguments`` (a network's ``temperature``,
    the series form's ``order``)."""
    import inspect

    parameters = list(inspect.signature(cls).parameters.values())
    return tuple(p.name for p in parameters if p.name not in base_arguments
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def check_entry_options(cls: type, what: str, name: str, given: tuple[str, ...], options: dict) -> None:
    """Check that an entry takes each of ``options`` (see `own_options`).

    Arguments:
        cls: the entry's class.
        what: what an entry is, for messages (``"network"``).
        name: the entry's name.
        given: the names of the arguments its registry gives every entry (not options).
        options: the entry's own options, by name.

    Raises:
        DyntoolsError: for an option the entry does not take, listing those it does.
    """
    known = own_options(cls, given)
    unknown = [option for option in options if option not in known]
    if unknown:
        takes = f"its options: {', '.join(known)}" if known else "it takes none"
        raise DyntoolsError(f"the {what} '{name}' has no option '{unknown[0]}' ({takes})",
                            arguments=(f"{what}_options",))


def build_entry(cls: type, what: str, name: str, given: dict, options: dict) -> object:
    """An entry built from what every entry is given and its own ``options``.

    Arguments:
        cls: the entry's class.
        what: what an entry is, for messages (``"network"``).
        name: the entry's name.
        given: the arguments every entry of the registry takes.
        options: the entry's own options, by name.

    Returns:
        ``cls(**given, **options)``.

    Raises:
        DyntoolsError: as `check_entry_options` (the entry's own checks of the values raise as
            they do).
    """
    check_entry_options(cls, what, name, tuple(given), options)
    return cls(**given, **options)


FAMILY_GROUP = "dyntools.families"


def plugin_families() -> dict[str, str | None]:
    """The marginal families other packages add (group ``dyntools.families``, the entry's name
    the family's): ``{family: the name of its parameter, None for a fixed family}``, read from
    the source without importing it, for the command line's choices and help.

    A family plug-in is a final `Marginal` subclass with the built-in families' class
    attributes (``family``, ``parameter_name``, the ranges), its JAX ``transform`` and its
    SymPy formulas; `dyntools.inputs.marginals.marginal_family` loads it.
    """
    return {name: literal_attributes(entry.module, entry.attr).get("parameter_name")
            for name, entry in _plugins(FAMILY_GROUP).items()}


@cache
def _plugins(group: str) -> dict[str, metadata.EntryPoint]:
    """The entry points of ``group`` of the installed packages, by name (the first of a name)."""
    found = {}
    for entry in metadata.entry_points(group=group):
        found.setdefault(entry.name, entry)
    return dict(sorted(found.items()))


@cache
def _entry_names(package: str) -> tuple[str, ...]:
    directory = Path(__file__).parent.joinpath(*package.split(".")[1:])
    return tuple(sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules([str(directory)])
                        if not m.name.startswith("_")))


def literal_attributes(module: str, class_name: str) -> dict[str, object]:
    """The class attributes of ``module``'s class ``class_name`` (a config dataclass's field
    defaults too) whose values are literals, read from the source without importing the module.

    Inherited attributes are included, from bases defined in the same module or imported from
    one by ``from MODULE import NAME``, the first base first; a base that cannot be read this way
    adds nothing. An attribute whose own value is not a literal hides an inherited one.

    Arguments:
        module: the module's dotted name (``"dyntools.baselines.run"``).
        class_name: the class's name (``"BaselineConfig"``).

    Returns:
        ``{attribute: value}``; ``{}`` if the module's source or the class cannot be found.
    """
    return {key: value for key, value in _literals(module, class_name, frozenset()).items() if value is not _UNKNOWN}


def literal_value(module: str, variable: str) -> object:
    """The value of ``module``'s module-level ``variable`` when it is a literal (``{"soft": "l1"}``),
    read from the source without importing the module; None if it is not one."""
    node = _assigned(module, variable)
    try:
        return None if node is None else ast.literal_eval(node)
    except ValueError:
        return None


def literal_keys(module: str, variable: str) -> tuple[str, ...]:
    """The keys of ``module``'s module-level dict ``variable`` (``{"relu": jax.nn.relu, ...}``),
    read from the source without importing the module; () if they are not all literals."""
    node = _assigned(module, variable)
    keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys] if isinstance(node, ast.Dict) else []
    return tuple(keys) if keys and all(isinstance(k, str) for k in keys) else ()


def _assigned(module: str, variable: str) -> ast.expr | None:
    """The expression assigned to ``module``'s module-level ``variable``, from the source."""
    tree = _tree(module)
    for node in tree.body if tree else ():
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
            return node.value
    return None


_UNKNOWN = object()  # an attribute whose value is not a literal


def _literals(module: str, class_name: str, seen: frozenset) -> dict[str, object]:
    tree = _tree(module)
    node = next((n for n in (tree.body if tree else ()) if isinstance(n, ast.ClassDef) and n.name == class_name), None)
    if node is None or (module, class_name) in seen:
        return {}
    found: dict[str, object] = {}
    for base in reversed(node.bases):
        where = _resolve(module, base)
        if where:
            found.update(_literals(*where, seen | {(module, class_name)}))
    for statement in node.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                found[target.id] = _UNKNOWN
    return found


def _resolve(module: str, base: ast.expr) -> tuple[str, str] | None:
    """(module, class name) of a base class written as a name defined in or imported into ``module``."""
    if not isinstance(base, ast.Name):
        return None
    tree = _tree(module)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == base.id:
            return module, base.id
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == base.id:
                    package = module if _source(module).name == "__init__.py" else module.rpartition(".")[0]
                    return _absolute("." * node.level + (node.module or ""), package), alias.name
    return None


def _inherits(module: str, class_name: str, target: tuple[str, str], seen: frozenset = frozenset()) -> bool:
    """Whether the class derives from ``target`` (module, class name), as far as its source tells."""
    if (module, class_name) == target:
        return True
    tree = _tree(module)
    node = next((n for n in (tree.body if tree else ()) if isinstance(n, ast.ClassDef) and n.name == class_name), None)
    if node is None or (module, class_name) in seen:
        return False
    return any(where is not None and _inherits(*where, target, seen | {(module, class_name)})
               for where in map(lambda base: _resolve(module, base), node.bases))


def _classes(module: str) -> list[str]:
    tree = _tree(module)
    return [n.name for n in tree.body if isinstance(n, ast.ClassDef)] if tree else []


def _absolute(name: str, package: str) -> str:
    """The absolute name of a module named ``name`` (relative: leading dots) from ``package``."""
    level = len(name) - len(name.lstrip("."))
    if not level:
        return name
    parts = package.split(".")
    parent = ".".join(parts[:len(parts) - level + 1])
    return f"{parent}.{name[level:]}" if name[level:] else parent


@cache
def _source(module: str) -> Path | None:
    """A module's source file, found without importing it (another package's: its parent
    packages are imported, as Python's import system needs)."""
    parts = module.split(".")
    if parts[0] == __name__.partition(".")[0]:
        path = Path(__file__).parent.joinpath(*parts[1:])
        for candidate in (path.with_suffix(".py"), path / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
    except Exception:  # noqa: BLE001 - a plug-in's broken package: no attributes, the error comes on use
        return None
    origin = spec.origin if spec else None
    return Path(origin) if origin and origin.endswith(".py") else None


@cache
def _tree(module: str) -> ast.Module | None:
    source = _source(module)
    if source is None:
        return None
    try:
        return ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


NETWORKS = FileRegistry("dyntools.simulations.networks", "._base:Network", "network", "dyntools.networks")
"""The networks: one [`Network`][dyntools.simulations.networks._base.Network] class a file in
``dyntools/simulations/networks/`` (``committee``, ``two-layer``)."""

AMPLIFIERS = FileRegistry("dyntools.theory.amplifiers", "._base:MarginalAmplifier", "amplifier", "dyntools.amplifiers")
"""The amplifier forms chosen by name: one
[`MarginalAmplifier`][dyntools.theory.amplifiers._base.MarginalAmplifier] class a file in
``dyntools/theory/amplifiers/`` (``closed``, ``quadrature``, ``series``)."""

BASELINES = FileRegistry("dyntools.baselines.methods", "._base:Baseline", "baseline", "dyntools.baselines")
"""The baselines: one [`Baseline`][dyntools.baselines.methods._base.Baseline] class a file in
``dyntools/baselines/methods/`` (``ica``, ``lca``, ``warp-lca``, ``wlsc``)."""

def __getattr__(name: str):
    if name == "REPRODUCTION_NAMES":  # `dyntools.experiments` is light: its entries load on first use
        from .experiments import REPRODUCTIONS

        return tuple(REPRODUCTIONS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


REPRODUCTION_NAMES: tuple[str, ...]
"""The names of `dyntools.experiments.REPRODUCTIONS` (the papers' figures and studies), read
without importing any of them."""
