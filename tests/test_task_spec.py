"""One task spec: validated on its own, built once, declared once for every command."""

import sys
from dataclasses import replace

import pytest

from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec, build_task
from dyntools.simulations import SimulationConfig

COMMANDS = {  # every command that builds a task, with its own required arguments
    "simulate": [], "sweep": [], "inputs": [], "baseline": ["lca"], "localization-map": ["--methods", "lca"],
}  # (localization-map takes kurtosis values only: no --param or --gain)


@pytest.mark.parametrize("fields, message", [
    ({"family": "cauchy"}, "unknown family 'cauchy'"),
    ({"kurtosis": -2.5}, "impossible"),
    ({"xi0": 0.0}, "xi0 must be a positive"),
    ({"xi1": float("inf")}, "xi1 must be a positive"),
    ({"proportion": 1.0}, r"proportion must be in \(0, 1\)"),
    ({"n_dims": 3}, "n_dims must be at least 4"),
    ({"param": float("nan")}, "param must be a finite number"),
])
def test_spec_refuses_each_bad_field_naming_it(fields, message):
    with pytest.raises(DyntoolsError, match=message) as error:
        TaskSpec(**fields)
    assert set(error.value.arguments) <= set(TaskSpec.__dataclass_fields__)


def test_build_task_builds_each_spec_once_from_its_fields():
    spec = TaskSpec(kurtosis=-1.0)
    assert spec.xi == (1.0, 2.0) and spec.n_pixels == 40
    assert build_task(spec) is build_task(TaskSpec(kurtosis=-1.0))  # equal specs: built once
    task = build_task(spec)
    assert task.shape == (40,) and (task.class0.xi, task.class1.xi, task.proportion) == (1.0, 2.0, 0.5)
    assert task.pixel_marginal.family == "alg" and task.pixel_marginal.excess_kurtosis == pytest.approx(-1.0)
    with pytest.raises(DyntoolsError, match="family 'alg' needs a kurtosis or a param"):
        build_task(TaskSpec(family="alg"))


def test_older_records_task_options_name_the_same_spec():
    options = {"family": "alg", "excess_kurtosis": 2.0, "parameter": None, "n_dims": 12, "xi": [0.5, 1.5],
               "two_d": False, "proportion": 0.3, "gaussian_clone": True}
    assert TaskSpec.from_options(options) == TaskSpec(family="alg", kurtosis=2.0, n_dims=12, xi0=0.5, xi1=1.5,
                                                      proportion=0.3, gaussian_clone=True)
    with pytest.raises(DyntoolsError, match="unknown task option 'kurtosis'"):
        TaskSpec.from_options({"kurtosis": 2.0})


def test_the_spec_is_pure_data_it_imports_no_task():
    """spec -> task only: the spec module imports neither the task nor JAX (no import cycle)."""
    import subprocess
    import sys

    code = "import sys, dyntools.inputs.spec; print(sorted(m for m in ('dyntools.inputs.task', 'jax') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_flat_records_of_older_runs_still_load():
    flat = {"family": "nlgp", "kurtosis": None, "param": 3.0, "n_dims": 12, "two_d": False, "xi": [0.5, 1.5],
            "proportion": 0.5, "gaussian_clone": False, "steps": 40, "lr": 0.1}
    config = SimulationConfig.from_dict(flat)
    assert config.task == TaskSpec(family="nlgp", param=3.0, n_dims=12, xi0=0.5, xi1=1.5) and config.steps == 40
    assert SimulationConfig.from_dict(config.as_dict()) == config


@pytest.mark.parametrize("flags, marginal", [
    (["--family", "nlgp", "--kurtosis", "-1.2", "--n-dims", "12", "--xi", "0.5", "1.5", "--proportion", "0.3"],
     {"family": "nlgp", "kurtosis": -1.2}),
    (["--gain", "3", "--2d", "--n-dims", "6", "--gaussian-clone"], {"family": "nlgp", "param": 3.0}),
])
def test_the_same_flags_give_the_same_task_in_every_command(cli, monkeypatch, tmp_path, flags, marginal):
    """Each command stops at the moment it builds its task; all of them build the same one."""
    built = {}

    def record(spec):
        built[command] = spec
        raise DyntoolsError("stop here")

    import dyntools.simulations.simulate  # noqa: F401 - modules that bind build_task when imported

    for module in [m for name, m in list(sys.modules.items()) if name.startswith("dyntools")
                   and getattr(m, "build_task", None) is build_task]:
        monkeypatch.setattr(module, "build_task", record)
    commands = {name: own for name, own in COMMANDS.items() if "--gain" not in flags or name != "localization-map"}
    for command, own in commands.items():
        code, _, stderr = cli(command, *own, *flags, "--out", tmp_path / command)
        assert code == 2 and "stop here" in stderr, (command, stderr)
    specs = set(built.values())
    assert len(specs) == 1 and len(built) == len(commands)
    spec = specs.pop()
    assert {name: getattr(spec, name) for name in marginal} == marginal
    # derive takes the marginal and the grid only; the same flags give the same marginal and grid
    marginal_flags = [f for i, f in enumerate(flags) if f not in ("--xi", "--proportion", "--gaussian-clone")
                      and flags[i - 1] not in ("--xi", "--proportion") and flags[max(i - 2, 0)] != "--xi"]
    command = "derive"
    code, _, stderr = cli("derive", *marginal_flags)
    assert code == 2 and built["derive"] == replace(TaskSpec(), family=spec.family, kurtosis=spec.kurtosis,
                                                     param=spec.param, n_dims=spec.n_dims, two_d=spec.two_d)


def test_library_errors_name_arguments_and_the_command_line_names_flags(cli, tmp_path):
    with pytest.raises(DyntoolsError, match=r"^init_scale must be a positive number") as error:
        SimulationConfig(init_scale=-1.0).validate()
    assert error.value.arguments == ("init_scale",)
    code, _, stderr = cli("simulate", "--init-scale", "-1", "--out", tmp_path / "x")
    assert code == 2 and "error: --init-scale must be a positive number" in stderr
    code, _, stderr = cli("simulate", "--kurtosis", "0", "--xi", "1", "0", "--out", tmp_path / "x")
    assert code == 2 and "error: --xi XI1 must be a positive" in stderr
    code, _, stderr = cli("baseline", "lca", "--kurtosis", "0", "--lambda", "0", "--out", tmp_path / "x")
    assert code == 2 and "error: --lambda must be a positive number" in stderr
