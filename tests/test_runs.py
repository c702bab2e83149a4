import json

import numpy as np
import pytest

from dyntools.errors import DyntoolsError
from dyntools.runs import is_finished, load_run, save_arrays, staged_run, write_record


HEAVY_TAILED = {"family": "t", "parameter_name": "nu", "parameter": 3.0, "excess_kurtosis": float("inf"), "shape": [3]}


def _write(path, value, force=False):
    """A baseline run of one atom [value, 0, 0], its inputs' description holding an infinite number."""
    from dyntools.baselines import BaselineConfig

    with staged_run(path, force) as stage:
        save_arrays(stage, "dictionary.npz", atoms=np.array([[value, 0.0, 0.0]]))
        write_record(stage, "baseline", {"baseline": BaselineConfig(atoms=1).as_dict(), "inputs": HEAVY_TAILED},
                     {"atoms": 1, "ipr_median": 1.0}, seed=1)


def _value(path):
    return load_run(path)[1]["dictionary"]["atoms"][0, 0]


def test_round_trip_and_record_contents(tmp_path):
    _write(tmp_path / "run", 1.5)
    record, arrays = load_run(tmp_path / "run")
    assert arrays["dictionary"]["atoms"][0, 0] == 1.5
    assert record["config"]["inputs"] == HEAVY_TAILED  # restored from the non_finite list
    assert record["non_finite"] == ["config.inputs.excess_kurtosis: inf"]
    assert record["version"] and record["seed"] == 1 and "dictionary.npz" in record["files"]
    on_disk = json.loads((tmp_path / "run" / "run.json").read_text())  # strict JSON: non-finite as null, listed
    assert on_disk["config"]["inputs"] == {**HEAVY_TAILED, "excess_kurtosis": None}
    assert on_disk["non_finite"] == ["config.inputs.excess_kurtosis: inf"]


def test_never_overwrites_a_finished_run_without_force(tmp_path):
    _write(tmp_path / "run", 1.0)
    with pytest.raises(DyntoolsError, match="pass force to overwrite"):
        _write(tmp_path / "run", 2.0)
    assert _value(tmp_path / "run") == 1.0
    _write(tmp_path / "run", 3.0, force=True)
    assert _value(tmp_path / "run") == 3.0
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


def test_restored_records_give_back_non_finite_numbers(tmp_path):
    from dyntools.baselines import BaselineConfig

    save_arrays(tmp_path, "dictionary.npz", atoms=np.ones((1, 2)))
    write_record(tmp_path, "baseline", {"baseline": BaselineConfig(atoms=1).as_dict(),
                                        "inputs": {**HEAVY_TAILED, "shape": [2], "x": [1.0, float("nan")]}},
                 {"atoms": 1, "ipr_median": 1.0, "excess_kurtosis": float("inf"), "nested": {"k": [float("-inf")]}}, 0)
    record, _ = load_run(tmp_path)
    assert record["summary"]["excess_kurtosis"] == float("inf") and record["summary"]["nested"]["k"] == [float("-inf")]
    assert np.isnan(record["config"]["inputs"]["x"][1])
