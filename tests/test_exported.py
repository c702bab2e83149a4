"""Programs kept on disk as exported modules: stored once, loaded back, the same numbers; a
damaged entry exported again with one line."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dyntools import cache, exported


def _field(x, scale, *, power):
    return jnp.sum(jnp.sin(x) ** power) * scale


def _with_callback(x):
    return jax.pure_callback(lambda v: np.asarray(v) * 2, jax.ShapeDtypeStruct(x.shape, x.dtype), x)


def test_a_program_is_stored_once_loaded_back_and_gives_the_same_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNTOOLS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(exported, "_PROGRAMS", {})
    x = jnp.linspace(0.0, 1.0, 7)
    first = exported.cached_call("test-field", _field, (x, 2.0), {"power": 3})
    assert len(list((tmp_path / "exported").glob("*.bin"))) == 1
    other = exported.cached_call("test-field", _field, (x + 1, 0.5), {"power": 3})  # other numbers: one program
    assert len(list((tmp_path / "exported").glob("*.bin"))) == 1
    assert float(other) == float(jnp.sum(jnp.sin(x + 1) ** 3) * 0.5)
    exported._PROGRAMS.clear()  # a new process: the program comes from disk
    assert float(exported.cached_call("test-field", _field, (x, 2.0), {"power": 3})) == float(first)
    assert float(first) == float(jax.jit(_field, static_argnames="power")(x, 2.0, power=3))
    exported.cached_call("test-field", _field, (x, 2.0), {"power": 5})  # other static settings: another program
    exported.cached_call("test-field", _field, (jnp.ones(3), 2.0), {"power": 3})  # other shapes: another
    assert len(list((tmp_path / "exported").glob("*.bin"))) == 3


def test_unexportable_programs_run_as_plain_jit_and_the_cache_can_be_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNTOOLS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(exported, "_PROGRAMS", {})
    x = jnp.arange(3.0)
    assert np.array_equal(exported.cached_call("test-callback", _with_callback, (x,)), 2 * x)
    [marker] = (tmp_path / "exported").glob("*.bin")
    assert cache.load(marker, marker.stem, bytes) == exported.UNEXPORTABLE
    monkeypatch.setenv("DYNTOOLS_CACHE_DIR", "off")
    exported._PROGRAMS.clear()
    assert float(exported.cached_call("test-field", _field, (x, 1.0), {"power": 2})) == float(jnp.sum(jnp.sin(x) ** 2))
    assert len(list((tmp_path / "exported").glob("*.bin"))) == 1  # nothing stored with the cache off


def test_the_key_follows_the_error_mode_equinox_applies_not_a_variable_set_after_its_import(monkeypatch):
    import equinox._config

    key = lambda: exported._key("test-field", {}, jax.tree.structure(1), [])  # noqa: E731
    monkeypatch.setattr(equinox._config, "EQX_ON_ERROR", "nan")
    monkeypatch.delenv("EQX_ON_ERROR", raising=False)
    applied_nan = key()
    monkeypatch.setattr(equinox._config, "EQX_ON_ERROR", "raise")  # imported before the variable was set:
    monkeypatch.setenv("EQX_ON_ERROR", "nan")  # its programs have host callbacks
    assert exported.equinox_error_mode() == "raise"
    assert key() != applied_nan


def damage(entry, kind, other):
    """Damage a cache entry as a killed write, a bad disk or a mixed-up copy would."""
    data = entry.read_bytes()
    if kind == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif kind == "random bytes":  # its middle third (before checksums: a program JAX failed to run)
        third = len(data) // 3
        noise = np.random.default_rng(0).integers(0, 256, third, dtype=np.uint8).tobytes()
        entry.write_bytes(data[:third] + noise + data[2 * third:])
    else:  # swapped: the file of one key holds another key's entry
        entry.write_bytes(other.read_bytes())


def run_printing(call, capfd, caplog):
    """A fresh process's call (no programs loaded): its result and every line it printed, logged
    or warned."""
    exported._PROGRAMS.clear()
    capfd.readouterr()
    caplog.clear()
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = call()
    out, err = capfd.readouterr()
    return result, [*out.splitlines(), *err.splitlines(), *(r.getMessage() for r in caplog.records),
                    *(str(w.message) for w in warned)]


@pytest.mark.parametrize("kind", ["truncated", "random bytes", "swapped"])
def test_a_damaged_program_is_exported_again_once_with_one_line_and_the_same_numbers(
        tmp_path, monkeypatch, capfd, caplog, kind):
    monkeypatch.setenv("DYNTOOLS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(exported, "_PROGRAMS", {})
    x = jnp.linspace(0.0, 1.0, 7)
    cube = lambda: float(exported.cached_call("test-field", _field, (x, 2.0), {"power": 3}))  # noqa: E731
    fresh = cube()
    [entry] = (tmp_path / "exported").glob("*.bin")
    exported.cached_call("test-field", _field, (x, 2.0), {"power": 5})  # same signature, other numbers
    [other] = set((tmp_path / "exported").glob("*.bin")) - {entry}
    damage(entry, kind, other)
    value, lines = run_printing(cube, capfd, caplog)
    assert value == fresh
    assert lines == [f"dyntools: cache entry {entry} was damaged; rebuilt"]
    assert run_printing(cube, capfd, caplog) == (fresh, [])  # a valid entry was left behind
    assert cache.load(entry, entry.stem, bytes) is not None


def test_a_damaged_unexportable_marker_is_written_again_with_one_line(tmp_path, monkeypatch, capfd, caplog):
    monkeypatch.setenv("DYNTOOLS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(exported, "_PROGRAMS", {})
    x = jnp.arange(3.0)
    doubled = lambda: np.asarray(exported.cached_call("test-callback", _with_callback, (x,)))  # noqa: E731
    doubled()
    [marker] = (tmp_path / "exported").glob("*.bin")
    marker.write_bytes(marker.read_bytes()[:-3])
    value, lines = run_printing(doubled, capfd, caplog)
    assert np.array_equal(value, 2 * x) and lines == [f"dyntools: cache entry {marker} was damaged; rebuilt"]
    assert cache.load(marker, marker.stem, bytes) == exported.UNEXPORTABLE
    assert run_printing(doubled, capfd, caplog)[1] == []
