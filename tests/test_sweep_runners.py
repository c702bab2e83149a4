"""Runners and chunk stores are objects the caller passes to `run_sweep`: any runner gives the
in-process numbers, the store keeps every saved point, and sweep and cluster do not import each other."""

import subprocess
import sys

import numpy as np
import pytest

from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec
from dyntools.simulations import SimulationConfig
from dyntools.simulations.chunks import ChunkStore
from dyntools.simulations.runners import InProcess, Runner
from dyntools.simulations.sweep import Grid, partial_directory, run_sweep

BASE = SimulationConfig(task=TaskSpec(family="alg", n_dims=8), steps=20, batch=50, seeds=2, saves=2)
GRID = Grid({"kurtosis": [-1.0, 0.0, 1.0]})


class OneByOneBackwards(Runner):
    """A runner of the caller's own: one point a chunk, last point first."""

    def __init__(self):
        self.ran, self.closed = [], False

    def run(self, work, progress=None):
        try:
            for i in reversed(work.todo):
                self.ran.append(i)
                yield [i], work.compute([work.points[i]], work.theory_only)
        finally:
            self.closed = True


def assert_same(a, b):
    assert sorted(a.data_vars) == sorted(b.data_vars)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def test_a_runner_object_from_python_is_used_and_gives_the_in_process_numbers(tmp_path):
    alone = run_sweep(tmp_path / "alone", BASE, GRID).dataset
    runner, reports = OneByOneBackwards(), []
    store = ChunkStore(tmp_path / "elsewhere")
    result = run_sweep(tmp_path / "mine", BASE, GRID, runner=runner, store=store,
                       progress=lambda done, total: reports.append((done, total)))
    assert runner.ran == [2, 1, 0] and runner.closed
    assert reports == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert_same(result.dataset, alone)
    assert sorted(p.name for p in store.directory.iterdir()) == [
        "point_00000.npz", "point_00001.npz", "point_00002.npz", "sweep.json"]
    assert not partial_directory(tmp_path / "mine").exists()  # the store given, not the default one
    # chunks of any size: the same numbers
    assert_same(run_sweep(tmp_path / "pairs", BASE, GRID, runner=InProcess(chunk_size=2)).dataset, alone)


def test_a_runner_resumes_only_the_points_not_saved(tmp_path):
    class StopAfterOne(OneByOneBackwards):
        def run(self, work, progress=None):
            for n, chunk in enumerate(super().run(work, progress)):
                if n == 1:
                    raise KeyboardInterrupt
                yield chunk

    first = StopAfterOne()
    with pytest.raises(KeyboardInterrupt):
        run_sweep(tmp_path / "s", BASE, GRID, theory_only=True, runner=first)
    assert first.ran == [2, 1]
    assert sorted(p.name for p in partial_directory(tmp_path / "s").glob("point_*")) == ["point_00002.npz"]
    again = OneByOneBackwards()
    ds = run_sweep(tmp_path / "s", BASE, GRID, theory_only=True, runner=again).dataset
    assert again.ran == [1, 0]
    assert_same(ds, run_sweep(tmp_path / "alone", BASE, GRID, theory_only=True).dataset)


@pytest.mark.parametrize("runner, message", [
    ("local:2", "a sweep's runner is a Runner object"),
    (None, "whole number of points"),
])
def test_what_is_not_a_runner_is_refused_in_one_line_before_any_work(tmp_path, runner, message):
    with pytest.raises(DyntoolsError, match=message) as error:
        run_sweep(tmp_path / "s", BASE, GRID, theory_only=True, runner=runner or InProcess(chunk_size=0))
    assert "\n" not in str(error.value) and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunks, message", [
    ([[0], [0]], "returned points it was not asked to run"),
    ([[7]], "returned points it was not asked to run"),
    ([[0, 1]], "stopped with 1 of 3 points not run"),
])
def test_a_runner_that_loses_or_invents_points_is_an_error(tmp_path, chunks, message):
    closed = []

    class Wrong(Runner):
        def run(self, work, progress=None):
            try:
                for chunk in chunks:
                    yield chunk, work.compute([work.points[0]] * len(chunk), work.theory_only)
            finally:
                closed.append(True)

    with pytest.raises(DyntoolsError, match=message) as error:
        run_sweep(tmp_path / "s", BASE, GRID, theory_only=True, runner=Wrong())
    assert "\n" not in str(error.value) and closed  # the runner's iterator is closed: it can release its work
    assert not partial_directory(tmp_path / "s").exists()  # a failed sweep removes its points


def test_the_store_writes_points_whole_and_never_through_a_link(tmp_path):
    store = ChunkStore.beside(tmp_path / "run")
    assert store.directory == tmp_path / ".run.sweep-points"
    assert store.claim({"a": 1}) == 0
    outside = tmp_path / "outside.npz"
    outside.write_bytes(b"not the store's")
    store.path(0).symlink_to(outside)
    store.save([0], [{"x": np.arange(3.0)}])
    assert not store.path(0).is_symlink() and outside.read_bytes() == b"not the store's"
    assert np.array_equal(store.read(0)["x"], np.arange(3.0))
    assert store.read(0, {"x": (4,)}) is None  # other shapes: not a finished point
    with pytest.raises(DyntoolsError, match="came back with 2 results"):
        store.save([1], [{"x": np.zeros(1)}, {"x": np.zeros(1)}])
    assert not store.path(1).exists()
    # the same definition resumes; another discards the points
    assert store.claim({"a": 1}) == 0 and store.path(0).exists()
    assert store.claim({"a": 2}) == 1 and not store.path(0).exists()
    (store.directory / "mine.txt").write_text("keep")
    with pytest.raises(DyntoolsError, match="did not write \\('mine.txt'\\)"):
        store.claim({"a": 3})
    assert (store.directory / "mine.txt").read_text() == "keep"
    linked = ChunkStore(tmp_path / "link")
    linked.directory.symlink_to(store.directory)
    with pytest.raises(DyntoolsError, match="not a directory dyntools made"):
        linked.claim({"a": 1})


def test_sweep_and_cluster_do_not_import_each_other():
    code = ("import sys, dyntools.simulations.{0}\n"
            "assert 'dyntools.simulations.{1}' not in sys.modules, sorted(sys.modules)\n")
    for module, other in (("cluster", "sweep"), ("sweep", "cluster"), ("runners", "sweep"), ("chunks", "sweep")):
        subprocess.run([sys.executable, "-c", code.format(module, other)], check=True, timeout=120)
