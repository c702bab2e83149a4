"""A run never destroys data: it writes only into a new or empty directory or over a finished
run of its own (with --force); staging files are created exclusively, never through a link;
concurrent runs into one place cannot lose a result; damaged sweep points are recomputed."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import interrupt_sweep_at
from dyntools.errors import DyntoolsError
from dyntools.runs import check_writable, remove_stale_stages, reserve, staged_run, write_record

INPUTS = ["inputs", "--kurtosis", "0", "--n-dims", "6", "--samples", "10"]
TINY_SIM = ["--n-dims", "8", "--steps", "8", "--batch", "16", "--seeds", "1", "--saves", "2"]


def _one_line_error(result, message):
    code, _, stderr = result
    assert code == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert message in stderr, stderr


def _tree(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.fixture
def project(tmp_path):
    """A user's folder: a thesis, a subfolder and a finished run."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "thesis.tex").write_text("my thesis")
    (tmp_path / "proj" / "old").mkdir()
    (tmp_path / "proj" / "old" / "data.csv").write_text("1,2")
    return tmp_path / "proj"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_directory_that_is_not_a_run_is_never_replaced(cli, project, force):
    before = _tree(project)
    _one_line_error(cli(*INPUTS, "--out", project, *force), "not a dyntools run")
    _one_line_error(cli("sweep", "--kurtosis", "0,1", "--theory-only", "--n-dims", "6", "--out", project, *force),
                    "not a dyntools run")
    assert _tree(project) == before and (project / "thesis.tex").read_text() == "my thesis"


def test_a_finished_run_with_other_files_in_it_is_never_replaced(cli, tmp_path):
    run = tmp_path / "r"
    assert cli(*INPUTS, "--out", run)[0] == 0
    assert json.loads((run / "run.json").read_text())["files"] == ["inputs.png", "run.json", "samples.npz"]
    (run / "notes.txt").write_text("keep me")
    _one_line_error(cli(*INPUTS, "--out", run, "--force"), "other files ('notes.txt')")
    assert (run / "notes.txt").read_text() == "keep me"
    (run / "notes.txt").unlink()
    assert cli(*INPUTS, "--out", run, "--force")[0] == 0  # a finished run alone: replaced with --force


def test_an_empty_directory_takes_a_run(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    assert cli(*INPUTS, "--out", tmp_path / "empty")[0] == 0
    assert (tmp_path / "empty" / "run.json").is_file()


def test_a_0x_record_owns_its_figures(tmp_path):
    """Records of dyntools 0.x listed only the arrays (written before the figures)."""
    run = tmp_path / "r"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"command": "inputs", "summary": {}, "files": ["samples.npz"]}))
    (run / "samples.npz").write_bytes(b"")
    (run / "inputs.png").write_bytes(b"")
    assert check_writable(run, force=True) == run
    (run / "thesis.tex").write_text("")
    with pytest.raises(DyntoolsError, match="thesis.tex"):
        check_writable(run, force=True)


@pytest.mark.parametrize("out", ["", ".", "..", "/", "CWD", "a" * 300])
def test_destinations_a_run_cannot_take_are_refused_before_any_work(cli, tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    out = str(tmp_path) if out == "CWD" else out
    _one_line_error(cli(*INPUTS, "--out", out), "run")
    assert _tree(tmp_path) == []


def test_a_symlink_as_the_destination_is_refused(cli, tmp_path):
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    _one_line_error(cli(*INPUTS, "--out", tmp_path / "link"), "symbolic link")
    assert _tree(tmp_path / "target") == []


def test_plot_and_compare_never_write_through_a_planted_link(cli, tmp_path):
    run = tmp_path / "r"
    assert cli("simulate", "--kurtosis", "-1", *TINY_SIM, "--out", run)[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".theory_vs_simulation.png.partial.png", "theory_vs_simulation.png"):  # old staging name, the figure
        (run / name).unlink(missing_ok=True)
        (run / name).symlink_to(victim)
    assert cli("plot", run)[0] == 0
    assert victim.read_text() == "precious" and not (run / "theory_vs_simulation.png").is_symlink()
    (tmp_path / "cmp.png").symlink_to(victim)
    (tmp_path / ".cmp.partial.png").symlink_to(victim)
    assert cli("compare", run, "--out", tmp_path / "cmp.png", "--force")[0] == 0
    assert victim.read_text() == "precious" and (tmp_path / "cmp.png").stat().st_size > 10_000


def test_a_run_that_another_process_is_writing_is_refused(cli, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom dyntools.runs import reserve\n"
                               f"with reserve({str(tmp_path / 'r')!r}):\n    print('held', flush=True)\n"
                               "    time.sleep(60)\n"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        _one_line_error(cli(*INPUTS, "--out", tmp_path / "r"), "another dyntools run (process")
    finally:
        holder.kill()
        holder.wait()
    assert cli(*INPUTS, "--out", tmp_path / "r")[0] == 0  # the kernel released the dead holder's lock
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # and its lock file is gone


def test_two_runs_started_together_into_one_place_lose_nothing(tmp_path):
    """Both start; one writes its run, the other refuses (at the start, or at the latest when it
    would move its run into place); what the winner said it wrote is what is there."""
    procs = {k: subprocess.Popen([sys.executable, "-m", "dyntools", "simulate", "--kurtosis", k, *TINY_SIM,
                                  "--out", "same", "--json"], cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for k in ("-1", "2")}
    results = {k: (p.wait(timeout=300), *p.communicate()) for k, p in procs.items()}
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 2], results
    (winner, (_, stdout, _)), = [(k, r) for k, r in results.items() if r[0] == 0]
    (_, _, stderr), = [r for r in results.values() if r[0] == 2]
    assert "another dyntools run" in stderr or "already holds a finished run" in stderr
    saved = json.loads((tmp_path / "same" / "run.json").read_text())["summary"]
    assert saved["ipr_sim_final_mean"] == json.loads(stdout)["ipr_sim_final_mean"]
    assert abs(saved["excess_kurtosis"] - float(winner)) < 1e-6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]


def test_a_file_size_limit_leaves_nothing_behind(tmp_path):
    """``ulimit -f``: writing fails; no half run, no staging directory, no parent made for it."""
    command = " ".join([sys.executable, "-m", "dyntools", *INPUTS, "--samples", "5000", "--out", "runs/r"])
    proc = subprocess.run(["bash", "-c", f"ulimit -f 20 && exec {command}"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)  # 20 blocks of 1 KiB
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "too large" in proc.stderr.lower()
    assert _tree(tmp_path) == []


def test_staged_run_rechecks_the_destination_before_moving_into_place(tmp_path):
    """Something written into the destination while the run worked is never replaced."""
    with pytest.raises(DyntoolsError, match="not a dyntools run"):
        with staged_run(tmp_path / "r") as stage:
            (tmp_path / "r").mkdir()
            (tmp_path / "r" / "mine.txt").write_text("keep")
            write_record(stage, "test", {}, {}, seed=0)
    assert _tree(tmp_path) == ["r", "r/mine.txt"]


def test_stale_lock_files_are_removed_and_held_ones_kept(tmp_path):
    (tmp_path / ".dead.dyntools-lock").write_text("process 1")
    with reserve(tmp_path / "live"):
        remove_stale_stages(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [".live.dyntools-lock"]
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_point_file_is_recomputed_and_the_rest_kept(cli, tmp_path, monkeypatch):
    import dyntools.simulations.sweep as sweep

    args = ["sweep", "--kurtosis", "-1:1:4", *TINY_SIM, "--out", tmp_path / "s", "--json"]
    code, clean, _ = cli(*args[:-2], tmp_path / "clean", "--json")
    assert code == 0
    real = sweep.run_simulations
    interrupt_sweep_at(monkeypatch, 4)
    assert cli(*args)[0] == 130
    partial = sweep.partial_directory(tmp_path / "s")
    damaged = partial / "point_00001.npz"
    damaged.write_bytes(damaged.read_bytes()[:100])
    monkeypatch.setattr(sweep, "run_simulations", real)
    ran = []
    monkeypatch.setattr(sweep, "chunk_arrays", lambda points, *a, real=sweep.chunk_arrays: ran.extend(points) or real(points, *a))
    code, stdout, _ = cli(*args)
    assert code == 0 and len(ran) == 2  # the damaged point and the one never run
    assert np.allclose(json.loads(stdout)["ipr_sim_mean"], json.loads(clean)["ipr_sim_mean"], rtol=0, atol=0)
    code, text, _ = cli(*args[:-1], "--force")
    assert not partial.exists()


def test_the_sweep_notes_recomputed_points(cli, tmp_path, monkeypatch):
    import dyntools.simulations.sweep as sweep

    args = ["sweep", "--kurtosis", "-1,1", "--theory-only", "--n-dims", "8", "--saves", "2", "--out", tmp_path / "s"]
    partial = sweep.partial_directory(tmp_path / "s")
    real = sweep._run_points

    def keep_points(paths, *a):  # finish the points, then stop as an interrupt would
        real(paths, *a)
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "_run_points", keep_points)
    assert cli(*args)[0] == 130
    monkeypatch.setattr(sweep, "_run_points", real)
    (partial / "point_00000.npz").write_bytes(b"garbage")
    code, stdout, _ = cli(*args)
    assert code == 0 and "recomputed 1 finished points whose files were damaged" in stdout


def test_ctrl_c_inside_an_import_or_a_gc_callback_is_held_back(monkeypatch):
    """Raised there, a KeyboardInterrupt aborts the process or is swallowed: the handler sends
    the signal again a moment later instead, and the next progress report raises it."""
    import types

    from dyntools.cli import common

    scheduled = []
    monkeypatch.setattr(common.threading, "Timer", lambda *a: types.SimpleNamespace(start=lambda: scheduled.append(a)))
    monkeypatch.setattr(common, "_interrupt_pending", common.threading.Event())
    frame = lambda name, file: types.SimpleNamespace(f_code=types.SimpleNamespace(co_name=name, co_filename=file),  # noqa: E731
                                                     f_back=None)
    common.on_interrupt(signal.SIGINT, frame("_xla_gc_callback", "/x/jax/_src/lib/__init__.py"))
    common.on_interrupt(signal.SIGINT, frame("_find_and_load", "<frozen importlib._bootstrap>"))
    assert len(scheduled) == 2 and scheduled[0][2] == (os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), common.progress("x", 10, "steps") as update:
        update(1, 10)
    with pytest.raises(KeyboardInterrupt):
        common.on_interrupt(signal.SIGINT, frame("train", "/x/dyntools/simulations/training.py"))


@pytest.mark.parametrize("moment", [0.3, 1.5, "training"])
def test_ctrl_c_at_any_moment_exits_130_with_one_line(tmp_path, moment):
    """A real SIGINT at start-up (imports, after 0.3 s), while compiling (1.5 s) and once the
    first compiled SGD chunk has run."""
    # a shell starts background jobs with SIGINT ignored: act as a terminal would
    script = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
    if moment == "training":  # mark the end of the first chunk (JAX imported before the command's handler)
        script += ("import pathlib, dyntools.simulations.training as network\nreal = network._sgd_chunk\n"
                   "def chunk(*a, **k):\n    out = real(*a, **k)\n    pathlib.Path('training').touch()\n    return out\n"
                   "network._sgd_chunk = chunk\n")
    script += ("import sys\nfrom dyntools.cli import main\n"
               "sys.argv = ['dyntools', 'simulate', '--kurtosis', '0', '--n-dims', '8', '--batch', '64',"
              " '--steps', '100000000', '--saves', '1', '--out', 'r']\nmain()\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        if moment == "training":
            while not (tmp_path / "training").exists():
                assert proc.poll() is None
                time.sleep(0.05)
        else:
            time.sleep(moment)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130 and stderr == "dyntools: interrupted; nothing was written\n", stderr
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["training"])


def test_without_out_every_run_gets_a_new_directory_and_latest_points_at_it(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = []
    for _ in range(2):
        code, stdout, _ = cli("simulate", "--kurtosis", "-1", *TINY_SIM)
        assert code == 0
        written.append(stdout.strip().splitlines()[-1].split()[1].rsplit("/", 1)[0])
    root = tmp_path / "runs" / "simulate"
    assert written[0] != written[1] and all((tmp_path / w / "run.json").is_file() for w in written)
    assert os.readlink(root / "latest") == written[1].rsplit("/", 1)[1]
    assert sorted(p.name for p in root.iterdir()) == sorted([*(w.rsplit("/", 1)[1] for w in written), "latest"])


def test_a_failed_run_without_out_leaves_nothing(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import dyntools.runs

    monkeypatch.setattr(dyntools.runs, "write_record", lambda *a: 1 / 0)
    assert cli(*INPUTS)[0] == 1
    assert list(tmp_path.iterdir()) == []


def test_an_old_run_where_new_runs_go_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(*INPUTS, "--out", "runs/inputs")[0] == 0  # where dyntools 0.x wrote it
    before = _tree(tmp_path)
    _one_line_error(cli(*INPUTS), "holds a finished run")
    assert _tree(tmp_path) == before


def test_a_sweep_without_out_resumes_when_run_again(cli, tmp_path, monkeypatch):
    import dyntools.simulations.sweep as sweep

    monkeypatch.chdir(tmp_path)
    args = ["sweep", "--kurtosis", "-1,0,1", "--theory-only", "--n-dims", "8", "--saves", "2"]
    real = sweep._run_points

    def stop(paths, *a):
        real(paths, *a)
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "_run_points", stop)
    assert cli(*args)[0] == 130
    monkeypatch.setattr(sweep, "_run_points", real)
    [kept] = (tmp_path / "runs" / "sweep").glob(".*.sweep-points")
    monkeypatch.setattr(sweep, "chunk_arrays", lambda *a: pytest.fail("finished points are run again"))
    code, stdout, _ = cli(*args)
    assert code == 0 and f"runs/sweep/{kept.name[1:-len('.sweep-points')]}/sweep.nc" in stdout
    assert not kept.exists()


def test_a_sweep_that_cannot_write_its_run_keeps_its_points(tmp_path):
    """``ulimit -f``: the points fit, sweep.nc does not; one line, the points kept, then resumed."""
    command = [sys.executable, "-m", "dyntools", "sweep", "--kurtosis=-1,0", *TINY_SIM, "--out", "s"]
    proc = subprocess.run(["bash", "-c", f"ulimit -f 20 && exec {' '.join(command)}"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "File too large; finished points are kept in .s.sweep-points" in proc.stderr
    assert sorted(p.name for p in (tmp_path / ".s.sweep-points").iterdir()) == [
        "point_00000.npz", "point_00001.npz", "sweep.json"]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=300).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_damaged_cache_is_reported_in_one_line(caplog):
    import dyntools.cache as cache

    for entry in ("a", "b", "c"):
        cache._report_damage(f"cache entry {entry} was damaged; rebuilt")
    assert [r.getMessage() for r in caplog.records] == [
        "dyntools: cache entry a was damaged; rebuilt"]


def test_force_replaces_only_plain_files_of_the_run(cli, tmp_path):
    """A folder (or link) at a name the record lists is the user's, not the run's."""
    run = tmp_path / "r"
    assert cli(*INPUTS, "--out", run)[0] == 0
    (run / "inputs.png").unlink()
    (run / "inputs.png").mkdir()
    (run / "inputs.png" / "data.csv").write_text("keep")
    _one_line_error(cli(*INPUTS, "--out", run, "--force"), "other files ('inputs.png')")
    assert (run / "inputs.png" / "data.csv").read_text() == "keep"


def test_a_sweep_never_removes_files_it_did_not_write_beside_its_points(cli, tmp_path):
    from dyntools.simulations.sweep import partial_directory

    partial = partial_directory(tmp_path / "s")
    partial.mkdir()
    (partial / "mine.txt").write_text("keep")
    _one_line_error(cli("sweep", "--kurtosis", "0,1", "--theory-only", "--n-dims", "6", "--saves", "2",
                        "--out", tmp_path / "s"), "did not write ('mine.txt')")
    assert (partial / "mine.txt").read_text() == "keep"


def test_plot_into_another_folder_replaces_figures_only_with_force(cli, tmp_path):
    run = tmp_path / "r"
    assert cli(*INPUTS, "--out", run)[0] == 0
    (tmp_path / "figs").mkdir()
    (tmp_path / "figs" / "inputs.png").write_text("mine")
    _one_line_error(cli("plot", run, "--out", tmp_path / "figs"), "--force")
    assert (tmp_path / "figs" / "inputs.png").read_text() == "mine"
    assert cli("plot", run)[0] == 0  # the run's own figures: redrawn in place
    assert cli("plot", run, "--out", tmp_path / "figs", "--force")[0] == 0
    assert (tmp_path / "figs" / "inputs.png").read_bytes() == (run / "inputs.png").read_bytes()
