"""Programs kept on disk as exported modules: stored once, loaded back, the same numbers."""

import jax
import jax.numpy as jnp
import numpy as np

from dyntools import exported


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
    assert marker.read_bytes() == exported.UNEXPORTABLE
    monkeypatch.setenv("DYNTOOLS_CACHE_DIR", "off")
    exported._PROGRAMS.clear()
    assert float(exported.cached_call("test-field", _field, (x, 1.0), {"power": 2})) == float(jnp.sum(jnp.sin(x) ** 2))
    assert len(list((tmp_path / "exported").glob("*.bin"))) == 1  # nothing stored with the cache off
