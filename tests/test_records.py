"""Corrupt run directories: every loader answers a result or the one-line corrupt-run error, and
the commands that read runs exit with code 2 and one line on stderr (`dyntools.records`)."""

import io
import json
import os
import re
import shutil
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from conftest import invoke
from dyntools.errors import DyntoolsError
from dyntools.runs import load_run

TINY = {
    "simulate": ["simulate", "--kurtosis", "0", "--n-dims", "8", "--steps", "8", "--batch", "16", "--seeds", "1",
                 "--saves", "2"],
    "baseline": ["baseline", "ica", "--kurtosis", "2", "--n-dims", "8", "--atoms", "3", "--samples", "200"],
    "sweep": ["sweep", "--grid", "kurtosis=-1,1", "--theory-only", "--n-dims", "8", "--steps", "4", "--saves", "2"],
}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """Small finished runs, one per command of `TINY`, never modified (copy them first)."""
    root = tmp_path_factory.mktemp("finished")
    for kind, args in TINY.items():
        code, _, err = invoke(*args, "--out", root / kind)
        assert code == 0, err
    return root


@pytest.fixture
def copy(finished, tmp_path):
    """copy(kind) -> a fresh copy of the finished run of that kind."""
    return lambda kind: shutil.copytree(finished / kind, tmp_path / kind)


def _record(run):
    return json.loads((run / "run.json").read_text())


def _rewrite(run, change):
    record = _record(run)
    change(record)
    (run / "run.json").write_text(json.dumps(record))


def _corrupt_everywhere(run, message):
    """load_run and the commands that read runs refuse `run` in one line naming what is wrong."""
    with pytest.raises(DyntoolsError, match=f"is a corrupt run: .*{message}") as caught:
        load_run(run)
    assert "\n" not in str(caught.value)
    for args in (["show", run], ["plot", run, "--out", run.parent / "figures"],
                 ["compare", run, "--out", run.parent / "c.png"]):
        code, _, err = invoke(*args)
        assert code == 2 and len(err.splitlines()) == 1 and re.search(f"is a corrupt run: .*{message}", err), err
    assert not (run.parent / "figures").exists() and not (run.parent / "c.png").exists()


def _deep(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(command=None), "command is null, not a string"),
    (lambda r: r.update(command=["simulate"]), "command is a list, not a string"),
    (lambda r: r.update(command="unheard-of"), "command 'unheard-of' writes no runs"),
    (lambda r: r.update(summary=[1, 2]), "summary is a list, not an object"),
    (lambda r: r.pop("version"), "has no 'version'"),
    (lambda r: r.pop("config"), "has no 'config'"),
    (lambda r: r.update(seed=True), "seed is true or false, not an integer or null"),
    (lambda r: r.update(files="run.json"), "files is a string"),
    (lambda r: r.update(extra=1), "unknown key 'extra'"),
    (lambda r: r.update(non_finite=[5]), r"non_finite\[0\] is an integer, not a string"),
    (lambda r: r.update(non_finite=["summary.nowhere.deeper: inf"]), "non_finite list does not match"),
    (lambda r: r.update(non_finite=["command: inf"]), "command is a number"),
    (lambda r: r["config"]["simulation"].update(foo=1), "config.simulation has an unknown key 'foo'"),
    (lambda r: r["config"]["simulation"]["task"].update(bar=1), "config.simulation.task has an unknown key 'bar'"),
    (lambda r: r["config"]["simulation"].update(steps="many"), "config.simulation.steps is a string, not an integer"),
    (lambda r: r["config"]["simulation"].update(steps=-1), "config.simulation is invalid"),
    (lambda r: r["config"]["task"].update(shape=[3, 3, 3]), "config.task.shape"),
    (lambda r: r["summary"].update(ipr_random="x"), "summary.ipr_random is a string, not a number"),
    (lambda r: r["summary"].pop("ipr_theory_final"), "ipr_theory_final not a number"),
    (lambda r: r["summary"].pop("theory"), "summary.theory is not the amplifier's description"),  # found by the damage test
])
def test_bad_records_are_corrupt_runs(copy, change, message):
    run = copy("simulate")
    _rewrite(run, change)
    _corrupt_everywhere(run, message)


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_records_are_refused_before_parsing(copy, depth):
    run = copy("simulate")
    text = (run / "run.json").read_text()
    (run / "run.json").write_text(text.replace('"summary": {', f'"deep": {_deep(depth)}, "summary": {{', 1))
    _corrupt_everywhere(run, f"nested {depth + 1} levels deep")


def test_nesting_inside_strings_does_not_count(copy):
    run = copy("simulate")
    _rewrite(run, lambda r: r["summary"].update(note="[" * 1000 + "\\\"{"))
    assert load_run(run)[0]["summary"]["note"].startswith("[[[")


def _save(run, name, **arrays):
    np.savez(run / name, **arrays)


def _arrays(run, name):
    with np.load(run / name) as data:
        return dict(data)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(w_sim=a["w_sim"][..., :4]), "array 'w_sim' has shape \\[1, 3, 1, 4\\]; its N should be 8"),
    (lambda a: a.update(t=a["t"][:2]), "its T should be 3"),
    (lambda a: a.update(sigma0=a["sigma0"].reshape(2, 4)), "its \\*grid should be \\(8,\\)"),
    (lambda a: a.update(ipr_sim=a["ipr_sim"][0]), "array 'ipr_sim' has shape \\[3, 1\\], not \\[S, T, K\\]"),
    (lambda a: a.update(t=a["t"].astype(int)), "array 't' has dtype int64, not floating"),
    (lambda a: a.update(t=a["t"].astype(complex)), "array 't' has dtype complex128"),
    (lambda a: a.update(t=np.array(["a", "b", "c"])), "array 't' has dtype <U1"),
    (lambda a: a.pop("sigma1"), "has no array 'sigma1'"),
    (lambda a: a.update(junk=np.zeros(2)), "unexpected array 'junk'"),
    (lambda a: a.pop("cosine"), "part of a theory"),
])
def test_bad_arrays_are_corrupt_runs(copy, change, message):
    from dyntools.simulations import SimulationResult

    run = copy("simulate")
    arrays = _arrays(run, "trajectories.npz")
    change(arrays)
    _save(run, "trajectories.npz", **arrays)
    with pytest.raises(DyntoolsError, match=f"is a corrupt run: .*{message}"):
        SimulationResult.load(run)
    _corrupt_everywhere(run, "")


def test_baseline_atoms_must_match_the_record(copy):
    from dyntools.baselines.run import BaselineResult

    run = copy("baseline")
    _save(run, "dictionary.npz", atoms=np.zeros((3, 5)))
    with pytest.raises(DyntoolsError, match="its N should be 8"):
        BaselineResult.load(run)
    _rewrite(run, lambda r: r["config"]["baseline"].update(colour="red"))
    with pytest.raises(DyntoolsError, match="config.baseline has an unknown key 'colour'"):
        BaselineResult.load(run)


@pytest.mark.parametrize("name", ["trajectories.npz", "extra.npz", "sweep.nc"])
def test_a_fifo_among_the_files_is_refused_without_blocking(copy, name):
    run = copy("simulate")
    (run / name).unlink(missing_ok=True)
    os.mkfifo(run / name)
    _corrupt_everywhere(run, "not a regular file" if name == "trajectories.npz" else f"unexpected array file {name}")


def test_a_link_among_the_files_is_refused(copy):
    run = copy("simulate")
    os.replace(run / "trajectories.npz", run.parent / "elsewhere.npz")
    os.symlink(run.parent / "elsewhere.npz", run / "trajectories.npz")
    _corrupt_everywhere(run, "trajectories.npz is a symbolic link")


def test_a_compressed_member_is_refused_before_it_is_expanded(copy):
    run = copy("simulate")
    arrays = _arrays(run, "trajectories.npz")
    arrays["w_sim"] = np.zeros((1, 3, 1, 2**22))  # 96 MiB that compress to a few hundred KB
    np.savez_compressed(run / "trajectories.npz", **arrays)
    assert (run / "trajectories.npz").stat().st_size < 2**20
    _corrupt_everywhere(run, "member 't.npy' is not an uncompressed .npy array")


def test_a_header_that_declares_more_than_the_member_holds_is_refused(copy):
    run = copy("simulate")
    with zipfile.ZipFile(run / "trajectories.npz", "a") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**28,)})
        archive.writestr("b_sim.npy", np.lib.format.MAGIC_PREFIX + b"\x01\x00" + header.getvalue()[8:])
    _corrupt_everywhere(run, "array 'b_sim' declares shape \\[268435456\\] of float64, 2147483648 bytes, but holds 0")


def test_truncated_and_random_array_files(copy):
    run = copy("simulate")
    data = (run / "trajectories.npz").read_bytes()
    (run / "trajectories.npz").write_bytes(data[:-100])
    _corrupt_everywhere(run, "trajectories.npz cannot be read")
    (run / "trajectories.npz").write_bytes(os.urandom(len(data)))
    _corrupt_everywhere(run, "trajectories.npz cannot be read")


def test_show_reads_array_headers_only(copy, monkeypatch):
    run = copy("simulate")

    def refuse(*args, **kwargs):
        raise AssertionError("show read array data")

    monkeypatch.setattr(np.lib.format, "read_array", refuse)
    code, out, err = invoke("show", run)
    assert code == 0 and "trajectories.npz: t [3], w_sim [1, 3, 1, 8]" in out, err


def test_a_sweep_dataset_must_hold_the_sweep_variables(copy):
    import xarray as xr

    from dyntools.runs import load_dataset

    run = copy("sweep")
    with xr.open_dataset(run / "sweep.nc", engine="h5netcdf") as ds:
        damaged = ds.load().drop_vars("excess_kurtosis")
    damaged.to_netcdf(run / "sweep.nc", engine="h5netcdf")
    with pytest.raises(DyntoolsError, match="is a corrupt run: sweep.nc has no array 'excess_kurtosis'"):
        load_dataset(run / "sweep.nc")
    _corrupt_everywhere(run, "sweep.nc has no array 'excess_kurtosis'")
    damaged.assign(excess_kurtosis=("time", np.zeros(damaged.sizes["time"]))).to_netcdf(run / "sweep.nc",
                                                                                        engine="h5netcdf")
    _corrupt_everywhere(run, "sweep.nc: array 'excess_kurtosis' has shape \\[3\\]; its kurtosis should be 2")


@pytest.mark.parametrize("damage", [lambda data: data[:2000], lambda data: os.urandom(len(data)),
                                    lambda data: b"PK\x03\x04" + data[4:]])
def test_a_damaged_sweep_dataset_is_a_corrupt_run(copy, damage):
    run = copy("sweep")
    (run / "sweep.nc").write_bytes(damage((run / "sweep.nc").read_bytes()))
    _corrupt_everywhere(run, "sweep.nc cannot be read")


# --- the property: any damage gives a result or the one-line error -----------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)


def _paths(value, prefix=()):
    """Every key path of a record, to replace or delete."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))


@st.composite
def record_damage(draw, record):
    """A damaged record: as text (deep nesting, random bytes) or with one key changed, deleted or added."""
    how = draw(st.sampled_from(["replace", "replace", "delete", "add", "deep", "bytes"]))
    if how == "bytes":
        return draw(st.binary(max_size=64))
    if how == "deep":
        return json.dumps({**record, "summary": json.loads(_deep(draw(st.integers(1, 70))))}).encode()
    path = draw(st.sampled_from(sorted((p for p in _paths(record) if p), key=str)))
    target = record = json.loads(json.dumps(record))
    for key in path[:-1]:
        target = target[key]
    if how == "replace":  # often a value of the same JSON type: past the type checks, into the values
        target[path[-1]] = draw(JSON | st.integers(-2, 2**40) | st.floats(-1e3, 1e3) | st.sampled_from(SETTINGS))
    elif how == "delete":
        del target[path[-1]]
    else:
        target[draw(st.text(max_size=5))] = draw(JSON)
    return json.dumps(record).encode()


SETTINGS = ["relu", "erf", "sgd", "flow", "series", "euler", "float64", "two-layer", "lca", "ica", "hard", "t", "nlgp"]


@st.composite
def array_damage(draw, data):
    """A damaged .npz file: truncated, random bytes, or one array of another shape or dtype."""
    how = draw(st.sampled_from(["truncate", "bytes", "array", "array"]))
    if how == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    if how == "bytes":
        return draw(st.binary(max_size=256))
    with np.load(io.BytesIO(data)) as loaded:
        arrays = dict(loaded)
    name = draw(st.sampled_from(sorted(arrays)))
    shape = list(arrays[name].shape)
    if shape and draw(st.booleans()):  # one size changed, or one axis added or dropped
        shape[draw(st.integers(0, len(shape) - 1))] = draw(st.integers(0, 9))
    else:
        shape = draw(st.sampled_from([shape + [1], shape[1:], []]))
    arrays[name] = np.zeros(shape, dtype=draw(st.sampled_from(["f8", "f4", "i8", "u1", "c16", "?", "U2"])))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _loaders(kind):
    from dyntools.baselines.run import BaselineResult
    from dyntools.figures import run_figures
    from dyntools.simulations import SimulationResult

    return [load_run, run_figures, SimulationResult.load if kind == "simulate" else BaselineResult.load]


@pytest.mark.parametrize("shape", [[], [12, 1, 1]])
def test_a_baseline_record_whose_inputs_are_no_grid_is_corrupt(finished, tmp_path, shape):
    """Found by the damage test below: a baseline record whose task shape was [] loaded, and its
    figure's title then failed with an IndexError."""
    run = shutil.copytree(finished / "baseline", tmp_path / "baseline")
    _rewrite(run, lambda record: record["config"]["inputs"].update(shape=shape))
    for load in _loaders("baseline"):
        with pytest.raises(DyntoolsError, match=r"config.inputs' shape .* is not a grid"):
            load(run)


@pytest.mark.parametrize("kind, arrays", [("simulate", "trajectories.npz"), ("baseline", "dictionary.npz")])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_any_damage_gives_a_result_or_a_corrupt_run_error(finished, tmp_path_factory, kind, arrays, data):
    import matplotlib.pyplot as plt

    run = shutil.copytree(finished / kind, tmp_path_factory.mktemp("damaged") / kind)
    damaged = data.draw(st.sampled_from(["run.json", arrays, "both"]), label="damaged")
    if damaged != arrays:
        (run / "run.json").write_bytes(data.draw(record_damage(_record(run)), label="run.json"))
    if damaged != "run.json":
        (run / arrays).write_bytes(data.draw(array_damage((run / arrays).read_bytes()), label=arrays))
    for load in _loaders(kind):
        try:
            load(run)
            event(f"{load.__qualname__}: a result")
        except DyntoolsError as err:
            assert "\n" not in str(err)
            event(f"{load.__qualname__}: {str(err).partition(': ')[2][:25]}")
    plt.close("all")
