import json

import numpy as np
import pytest

from dyntools.errors import DyntoolsError
from dyntools.runs import is_finished, load_run, save_arrays, staged_run, write_record


def _write(path, value, force=False):
    with staged_run(path, force) as stage:
        save_arrays(stage, "a.npz", v=np.array([value]))
        write_record(stage, "test", {"value": value, "bad": float("inf")}, {"ok": True}, seed=1)


def test_round_trip_and_record_contents(tmp_path):
    _write(tmp_path / "run", 1.5)
    record, arrays = load_run(tmp_path / "run")
    assert arrays["a"]["v"][0] == 1.5
    assert record["config"] == {"value": 1.5, "bad": float("inf")}  # restored on load from the non_finite list
    assert record["non_finite"] == ["config.bad: inf"]
    assert record["version"] and record["seed"] == 1 and "a.npz" in record["files"]
    on_disk = json.loads((tmp_path / "run" / "run.json").read_text())  # strict JSON: non-finite as null, listed
    assert on_disk["config"] == {"value": 1.5, "bad": None} and on_disk["non_finite"] == ["config.bad: inf"]


def test_never_overwrites_a_finished_run_without_force(tmp_path):
    _write(tmp_path / "run", 1.0)
    with pytest.raises(DyntoolsError, match="pass force to overwrite"):
        _write(tmp_path / "run", 2.0)
    assert load_run(tmp_path / "run")[1]["a"]["v"][0] == 1.0
    _write(tmp_path / "run", 3.0, force=True)
    assert load_run(tmp_path / "run")[1]["a"]["v"][0] == 3.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging leftovers


def test_failure_leaves_nothing_behind(tmp_path):
    with pytest.raises(RuntimeError):
        with staged_run(tmp_path / "run") as stage:
            save_arrays(stage, "a.npz", v=np.zeros(3))
            raise RuntimeError("crash mid-run")
    assert list(tmp_path.iterdir()) == []
    assert not is_finished(tmp_path / "run")


def test_loading_an_unfinished_directory_is_a_clear_error(tmp_path):
    with pytest.raises(DyntoolsError, match="not a finished"):
        load_run(tmp_path)
