"""The cache rule both caches share: checked entries, atomic writes, one key rule, opt-in default
directory; the series cache repairs itself; JAX's compilation cache loses its damaged entries."""

import logging
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from dyntools import cache
from dyntools.inputs.marginals import make_marginal
from dyntools.theory import series_cache
from test_exported import damage


@pytest.fixture
def series_dir(tmp_path, monkeypatch):
    """The series cache in a fresh directory."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    return tmp_path / "series"


@pytest.mark.parametrize("kind", ["truncated", "random bytes", "swapped"])
def test_a_damaged_series_entry_is_derived_again_once_with_one_line(series_dir, caplog, kind):
    nlgp, laplace = make_marginal("nlgp", -1.0), make_marginal("laplace", 3.0)
    fresh = series_cache.cached_series(nlgp, 3)
    [entry] = series_dir.glob("*.json")
    assert series_cache.cached_series(laplace, 3) != fresh  # same length, other numbers
    [other] = set(series_dir.glob("*.json")) - {entry}
    damage(entry, kind, other)
    caplog.clear()
    assert series_cache.cached_series(nlgp, 3) == fresh
    assert [r.getMessage() for r in caplog.records] == [f"dyntools: cache entry {entry} was damaged; rebuilt"]
    caplog.clear()
    assert series_cache.cached_series(nlgp, 3) == fresh and caplog.records == []


def test_the_series_key_follows_the_code_not_only_the_package_version(series_dir, monkeypatch):
    import dyntools.theory.symbolic as symbolic

    marginal = make_marginal("nlgp", -1.0)
    series_cache.cached_series(marginal, 3)
    derived = []
    monkeypatch.setattr(symbolic, "series_coefficients", lambda *args: derived.append(args) or {1: 1.0})
    series_cache.cached_series(marginal, 3)
    assert derived == []
    monkeypatch.setattr(cache, "code_identity", lambda: "an edited symbolic.py")  # same version, other sources
    assert series_cache.cached_series(marginal, 3) == (0.0, 1.0, 0.0, 0.0) and len(derived) == 1


def test_an_entry_is_checked_against_its_key_and_its_checksum(tmp_path, caplog):
    path = tmp_path / "entry.bin"
    cache.save(path, "k1", b"payload")
    assert cache.load(path, "k1", bytes) == b"payload" and caplog.records == []
    assert cache.load(path, "k2", bytes) is None  # another key's entry
    assert cache.load(tmp_path / "absent.bin", "k1", bytes) is None
    path.write_bytes(path.read_bytes().replace(b"payload", b"paylaod"))
    assert cache.load(path, "k1", bytes) is None
    assert len(caplog.records) == 1  # said once a process; the absent entry is not damage


def test_writes_replace_a_planted_symlink_and_never_write_through_it(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    path = tmp_path / "cache" / "entry.bin"
    path.parent.mkdir()
    path.symlink_to(victim)
    predictable = path.with_suffix(f".{os.getpid()}.tmp")  # a temporary name an attacker could guess
    predictable.symlink_to(victim)
    cache.save(path, "k", b"payload")
    assert victim.read_bytes() == b"keep me"
    assert not path.is_symlink() and cache.load(path, "k", bytes) == b"payload"
    assert sorted(os.listdir(path.parent)) == [predictable.name, "entry.bin"]  # no temporary file left


WRITER = """
import sys
from pathlib import Path
from dyntools import cache
path, payloads = Path(sys.argv[1]), [bytes([n]) * 200_000 for n in range(4)]
for _ in range(25):
    cache.save(path, "k", payloads[int(sys.argv[2])])
    assert cache.load(path, "k", bytes) in payloads
"""


def test_concurrent_writers_of_one_entry_each_leave_a_whole_entry(tmp_path):
    path = tmp_path / "entry.bin"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], stderr=subprocess.PIPE)
               for n in range(4)]
    assert [(writer.wait(), writer.stderr.read()) for writer in writers] == [(0, b"")] * 4
    assert cache.load(path, "k", bytes) in [bytes([n]) * 200_000 for n in range(4)]
    assert os.listdir(tmp_path) == ["entry.bin"]


def test_library_calls_keep_nothing_in_the_home_directory_unless_enabled(tmp_path, monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() is None and cache.entry_path("series", "k", ".json") is None
    series_cache.cached_series(make_marginal("nlgp", -1.0), 1)
    assert not (tmp_path / "xdg").exists()
    cache.enable()  # what the command line does; processes it starts inherit the setting
    assert cache.cache_root() == tmp_path / "xdg" / "dyntools" == Path(os.environ[cache.CACHE_ENV])
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    cache.enable()
    assert cache.cache_root() is None


def test_damaged_entries_of_jax_compilation_cache_are_removed_with_one_line(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(cache, "_jax_decompress", lambda: zlib.decompress)  # JAX without zstd
    jax_dir = tmp_path / "jax"
    jax_dir.mkdir()
    entry = zlib.compress(b"an executable" * 100)
    for name, data in [("good", entry), ("truncated", entry[:-9]), ("random", os.urandom(len(entry)))]:
        (jax_dir / f"jit_f-{name}-cache").write_bytes(data)
    with caplog.at_level(logging.WARNING):
        cache.repair_compilation_cache(jax_dir)
        assert [r.getMessage() for r in caplog.records] == [
            f"dyntools: 2 damaged entries of JAX's compilation cache {jax_dir} removed"]
        assert sorted(p.name for p in jax_dir.glob("*-cache")) == ["jit_f-good-cache"]
        caplog.clear()
        cache.repair_compilation_cache(jax_dir)
        assert caplog.records == []
