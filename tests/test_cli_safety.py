"""Every failure a user can cause: one line on stderr, exit code 2, nothing written, before any
work; interrupts and killed runs leave nothing behind; what happened is said."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import interrupt_sweep_at
from dyntools.runs import OWNER, load_run, remove_stale_stages, staged_run, write_record

DEAD_PID = 2**22 + 12345  # above Linux's largest pid_max: no such process
TINY_SIM = ["--n-dims", "8", "--steps", "8", "--batch", "16", "--seeds", "1", "--saves", "2"]


def _one_line_error(code, stderr, message=""):
    assert code == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert message in stderr


def _finished_inputs_run(cli, path):
    assert cli("inputs", "--kurtosis", "0", "--n-dims", "8", "--samples", "10", "--out", path)[0] == 0


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", "\x00\xff"])
def test_show_reports_a_corrupt_record(cli, tmp_path, content):
    run = tmp_path / "r"
    run.mkdir()
    (run / "run.json").write_bytes(content.encode("latin-1"))
    code, _, stderr = cli("show", run)
    _one_line_error(code, stderr, "corrupt run")


def test_show_and_compare_report_a_truncated_array_file(cli, tmp_path):
    run = tmp_path / "r"
    _finished_inputs_run(cli, run)
    data = (run / "samples.npz").read_bytes()
    (run / "samples.npz").write_bytes(data[: len(data) // 2])
    _one_line_error(*cli("show", run)[::2], "corrupt run")
    _one_line_error(*cli("compare", run, "--out", tmp_path / "c.png")[::2], "corrupt run")
    assert not (tmp_path / "c.png").exists()


def test_compare_output_names(cli, tmp_path):
    runs = []
    for i, kurtosis in enumerate(("-1", "1")):
        runs.append(tmp_path / f"s{i}")
        assert cli("simulate", "--kurtosis", kurtosis, *TINY_SIM, "--out", runs[-1])[0] == 0
    _one_line_error(*cli("compare", *runs, "--out", tmp_path / "afile")[::2], ".png")
    (tmp_path / "d.png").mkdir()
    _one_line_error(*cli("compare", *runs, "--out", tmp_path / "d.png")[::2], "directory")
    nested = tmp_path / "new" / "folder" / "cmp.png"
    code, stdout, _ = cli("compare", *runs, "--out", nested)
    assert code == 0 and f"wrote {nested}" in stdout and nested.stat().st_size > 10_000
    assert sorted(p.name for p in nested.parent.iterdir()) == ["cmp.png"]  # no staging file left
    _one_line_error(*cli("compare", *runs, "--out", nested)[::2], "--force")


@pytest.mark.parametrize("args, message", [
    (["inputs", "--kurtosis", "1", "--samples", "10", "--out", "/proc/dyntools-test/r"], "cannot write"),
    (["inputs", "--kurtosis", "1e308", "--samples", "10"], "excess kurtosis"),
    (["inputs", "--kurtosis", "nan", "--samples", "10"], "finite number"),
    (["inputs", "--kurtosis", "inf", "--samples", "10"], "finite number"),
    (["derive", "--order", "500"], "--order"),
    (["inputs", "--kurtosis", "0", "--samples", "100000000", "--n-dims", "1000"], "GiB"),
    (["simulate", "--kurtosis", "0", "--batch", "100000000"], "GiB"),
    (["simulate", "--kurtosis", "0", "--steps", "99999999999"], "at most"),
    (["simulate", "--kurtosis", "0", "--seed", "-1"], "non-negative"),
    (["simulate", "--kurtosis", "0", "--lr", "nan"], "--lr"),
    (["simulate", "--kurtosis", "0", "--lr", "inf"], "--lr"),
    (["simulate", "--kurtosis", "0", "--n-dims", "5000", "--2d"], "pixels"),
    (["sweep", "--kurtosis", "0,nan"], "finite"),
    (["sweep", "--kurtosis", "0:1:0"], "COUNT"),
    (["baseline", "lca", "--kurtosis", "1", "--lambda", "inf"], "--lambda"),
    (["baseline", "ica", "--kurtosis", "1", "--samples", "90000000"], "GiB"),
    (["localization-map", "--methods", ","], "no baseline"),
    (["localization-map", "--kurtosis", "-1,-3"], ">= -2"),
])
def test_bad_values_anywhere_are_one_line_and_write_nothing(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, _, stderr = cli(*args)
    _one_line_error(code, stderr, message)
    assert list(tmp_path.iterdir()) == []


def test_extreme_but_valid_members_are_derived(cli):
    """nu = 6004: SymPy's 'closed form' has giant exact numbers and is dropped, not printed."""
    code, stdout, _ = cli("derive", "--family", "t", "--kurtosis", "0.001", "--json")
    report = json.loads(stdout)
    assert code == 0 and report["parameter"] == pytest.approx(6004) and report["closed_form"] is None
    code, stdout, _ = cli("derive", "--kurtosis", "1e6", "--json")  # alg k ~ 4: m6 is infinite
    report = json.loads(stdout)
    assert code == 0 and report["series_order"] == 3 and report["series_missing_moment"].startswith("m6")
    assert report["moments"]["m6"] is None and "moments.m6: inf" in report["non_finite"]


def test_sweep_checks_every_point_before_running_any(cli, tmp_path, monkeypatch):
    import dyntools.simulations.sweep as sweep

    monkeypatch.setattr(sweep, "run_simulations", lambda *args: pytest.fail("a point ran"))
    code, _, stderr = cli("sweep", "--family", "alg", "--kurtosis", "0,-1.5", "--out", tmp_path / "s")
    _one_line_error(code, stderr, "sweep point kurtosis = -1.5")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", [["--solver", "nosuch"], ["--amplifier", "nosuch"],
                                    ["--family", "alg", "--amplifier", "closed"]])
def test_theory_options_are_checked_before_training(cli, tmp_path, monkeypatch, option):
    import dyntools.simulations.simulate as simulate

    monkeypatch.setattr(simulate, "_train_all", lambda *a: pytest.fail("training started"))
    code, _, stderr = cli("simulate", "--kurtosis", "0", *option, "--out", tmp_path / "r")
    _one_line_error(code, stderr)
    assert list(tmp_path.iterdir()) == []


def test_failed_sweep_leaves_no_points_and_the_corrected_command_runs(cli, tmp_path):
    out = tmp_path / "s"
    code, _, stderr = cli("sweep", "--kurtosis", "0", *TINY_SIM, "--lr", "1e6", "--out", out)
    _one_line_error(code, stderr, "SGD diverged")
    assert list(tmp_path.iterdir()) == []
    assert cli("sweep", "--kurtosis", "0", *TINY_SIM, "--out", out)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_learning_rate_advice_trains(cli, tmp_path):
    euler = ["--solver", "euler"]  # the theory steps by lr: at the advised lr (t ~ 1e5) an adaptive solve takes ~40 s
    code, _, stderr = cli("simulate", "--kurtosis", "0", *TINY_SIM, *euler, "--lr", "1e6", "--out", tmp_path / "a")
    _one_line_error(code, stderr, "SGD diverged")
    advised = stderr.split("(--lr ")[1].split()[0]
    assert 0 < float(advised) < 1e6
    assert cli("simulate", "--kurtosis", "0", *TINY_SIM, *euler, "--lr", advised, "--out", tmp_path / "b")[0] == 0


def test_clipping_and_the_theory_caveat_are_printed_and_recorded(cli, tmp_path):
    out = tmp_path / "r"
    code, stdout, _ = cli("simulate", "--kurtosis", "-1", "--2d", *TINY_SIM[2:], "--n-dims", "6", "--out", out)
    assert code == 0 and "negative eigenvalues clipped" in stdout and "early-time theory" in stdout
    summary = json.loads((out / "run.json").read_text())["summary"]
    assert summary["kernel_clipping"]["class1"]["n_clipped"] > 0 and "early-time" in summary["theory_validity"]


def test_non_convergence_is_reported(cli, tmp_path, monkeypatch):
    import dyntools.baselines.methods.ica as ica

    real = ica.fast_ica
    monkeypatch.setattr(ica, "fast_ica", lambda *a, **k: {**real(*a, **k), "converged": False})
    code, stdout, _ = cli("baseline", "ica", "--kurtosis", "1", "--n-dims", "8", "--atoms", "8", "--samples", "500",
                          "--out", tmp_path / "r")
    assert code == 0 and "ICA did not converge" in stdout
    assert json.loads((tmp_path / "r" / "run.json").read_text())["summary"]["converged"] is False


def _lca_potentials(atoms, inputs, lam, steps, eta):
    """LCA inference written again in float64 NumPy: ``steps`` Euler steps
    u <- u + eta (b - u - T(u) G) with the soft threshold T, from u = 0; eta None is the ISTA step
    1 / largest eigenvalue of D D^T, at most 1 (as `LCASettings` documents)."""
    import numpy as np

    if eta is None:
        eta = min(1.0, 1.0 / np.linalg.eigvalsh(atoms @ atoms.T)[-1])
    b, gram = inputs @ atoms.T, atoms @ atoms.T - np.eye(len(atoms))
    u = np.zeros_like(b)
    for _ in range(steps):
        u = u + eta * (b - u - np.sign(u) * np.maximum(np.abs(u) - lam, 0) @ gram)
    return u


@pytest.mark.parametrize("lam, max_iter", [("3", None), ("1", 20)], ids=["converges", "budget-20"])
def test_lca_reports_whether_its_inference_converged(cli, tmp_path, monkeypatch, lam, max_iter):
    """The iterations the run reports are those of inference with its saved dictionary on its
    held-out batch (1000 inputs from the seed's "check" key, drawn again here): the library's
    inference on them stops within 2 steps of it (float32 rounding moves the step where the
    stopping rule is met: measured 345 against 346; the "test" key's batch stops at 292), and
    its potentials equal this file's float64
    NumPy recursion run for that many steps (rtol 1e-3, atol 1e-4: the library runs float32).
    Converged means it stopped before the budget (lambda 3: measured 345 of 500 steps), and a run
    that did not says so; a budget of 20 steps (monkeypatched) forces that case."""
    import functools

    import numpy as np

    import dyntools.baselines.methods.lca as method
    from dyntools._jax import jax, jnp
    from dyntools.baselines import LCASettings, lca
    from dyntools.inputs import TaskSpec, build_task

    if max_iter is not None:
        monkeypatch.setattr(method, "LCASettings", functools.partial(LCASettings, max_iter=max_iter))
    out = tmp_path / "r"
    code, stdout, _ = cli("baseline", "lca", "--kurtosis", "1", "--n-dims", "8", "--atoms", "8", "--steps", "5",
                          "--lambda", lam, "--out", out)
    summary = json.loads((out / "run.json").read_text())["summary"]
    with np.load(out / "dictionary.npz") as data:
        atoms = data["atoms"]
    check_key = jax.random.split(jax.random.PRNGKey(0), 3)[2]
    inputs = build_task(TaskSpec(kurtosis=1.0, n_dims=8)).sample(check_key, 1000)[0].astype(jnp.float32)
    settings = LCASettings(summary["lambda"], **({} if max_iter is None else {"max_iter": max_iter}))
    _, u, _, steps = lca(jnp.asarray(atoms, jnp.float32), inputs, settings)
    n = summary["inference_iterations"]
    assert code == 0 and abs(n - int(steps)) <= 2 and 1 <= n <= settings.max_iter
    expected = _lca_potentials(atoms.astype(float), np.asarray(inputs, dtype=float), summary["lambda"], int(steps),
                               settings.eta)
    np.testing.assert_allclose(np.asarray(u), expected, rtol=1e-3, atol=1e-4)
    assert summary["inference_converged"] is (n < settings.max_iter)
    assert ("did not converge" in stdout) is (n == settings.max_iter)
    assert summary["inference_converged"] is (max_iter is None)  # the two cases cover both answers


def test_json_is_strict_with_non_finite_values_listed(tmp_path):
    with staged_run(tmp_path / "r") as stage:
        record = write_record(stage, "test", {"k": float("inf")}, {"x": [1.0, float("nan")]}, seed=0)
    text = (tmp_path / "r" / "run.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert record["config"]["k"] is None and record["summary"]["x"] == [1.0, None]
    assert record["non_finite"] == ["config.k: inf", "summary.x[1]: nan"]


def test_version_and_internal_errors(cli, monkeypatch):
    code, stdout, _ = cli("--version")
    assert code == 0 and stdout.startswith("dyntools ")
    import dyntools.records

    monkeypatch.setattr(dyntools.records, "check_run", lambda *a, **k: 1 / 0)
    code, _, stderr = cli("show", ".")
    assert code == 1 and "internal error" in stderr and "--debug" in stderr and len(stderr.splitlines()) == 1
    with pytest.raises(ZeroDivisionError):
        cli("--debug", "show", ".")


def _run_until_killed(tmp_path, script, marker_glob, sig):
    """Start ``script`` in a fresh interpreter, wait until ``marker_glob`` matches, send ``sig``."""
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(marker_glob)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else "timeout"
            time.sleep(0.05)
        proc.send_signal(sig)
        return proc, *proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # a failed test must not leave a 10^8-step run behind
            proc.kill()
            proc.wait()


def test_a_killed_run_leaves_a_staging_directory_that_the_next_run_removes(tmp_path, cli):
    script = ("from dyntools.runs import staged_run\nimport time\n"
              "with staged_run('parent/r') as stage:\n    (stage / 'big').write_bytes(b'x' * 1000)\n    time.sleep(600)\n")
    proc, _, _ = _run_until_killed(tmp_path, script, f"parent/.r.*/{OWNER}", signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    left = sorted(p.name for p in (tmp_path / "parent").glob(".r.*"))  # what kill -9 leaves
    assert len(left) == 2 and left[0] == ".r.dyntools-lock" and left[1].startswith(".r.stage-")
    _finished_inputs_run(cli, tmp_path / "parent" / "other")
    assert sorted(p.name for p in (tmp_path / "parent").iterdir()) == ["other"]


def test_a_kill_in_the_middle_of_a_forced_replacement_puts_the_old_run_back(tmp_path, cli):
    old = tmp_path / "r"
    _finished_inputs_run(cli, old)
    trash = tmp_path / ".r.old-abc"
    trash.mkdir()
    os.replace(old, trash / "run")
    (trash / OWNER).write_text(f"{socket.gethostname()} {DEAD_PID}\n")
    remove_stale_stages(tmp_path)
    assert (old / "run.json").exists() and not trash.exists()


def test_live_staging_directories_are_left_alone(tmp_path):
    stage = tmp_path / ".r.stage-live"
    stage.mkdir()
    (stage / OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n")
    assert remove_stale_stages(tmp_path) == [] and stage.exists()


def test_interrupted_sweep_says_where_its_points_are(cli, tmp_path, monkeypatch):
    import dyntools.simulations.sweep as sweep

    real = sweep.run_simulations
    interrupt_sweep_at(monkeypatch, 2)
    code, _, stderr = cli("sweep", "--kurtosis", "-1,1", *TINY_SIM, "--out", tmp_path / "s")
    assert code == 130 and "resume" in stderr and len(stderr.strip().splitlines()) == 1
    kept = sweep.partial_directory(tmp_path / "s")
    assert len(list(kept.glob("point_*.npz"))) == 1
    monkeypatch.setattr(sweep, "run_simulations", real)
    assert cli("sweep", "--kurtosis", "-1,1", *TINY_SIM, "--out", tmp_path / "s")[0] == 0
    assert not kept.exists() and load_run(tmp_path / "s")[1]["sweep"]["ipr_sim"].shape == (2, 1)
