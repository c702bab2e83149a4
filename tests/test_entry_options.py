"""Networks and amplifier forms take options of their own (issue 22): a class's constructor
arguments beyond what every entry of its registry is given. They travel in the config as
``((name, number), ...)``, are saved in run.json and read back, and a name the entry does not
take is one line listing those it does, before any work."""

import json

import pytest

from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec, build_task, make_marginal
from dyntools.records import Corrupt, check, _spec_of
from dyntools.registries import own_options
from dyntools.simulations import SimulationConfig
from dyntools.simulations.networks import network_class, network_names
from dyntools.simulations.simulate import prepare
from dyntools.theory.amplifier import make_amplifier
from dyntools.registries import AMPLIFIERS

TASK = TaskSpec(kurtosis=-1.0, n_dims=12)


def test_the_built_in_entries_own_options():
    base = ("n_inputs", "neurons", "activation", "bias")
    assert {name: own_options(network_class(name), base) for name in network_names()
            if name in ("committee", "two-layer")} == {"committee": (), "two-layer": ()}
    forms = {name: own_options(AMPLIFIERS.get(name), ("marginal",)) for name in AMPLIFIERS.names()}
    assert forms == {"closed": (), "quadrature": (), "series": ("order",)}


def test_an_option_an_entry_does_not_take_is_one_line_listing_its_options():
    with pytest.raises(DyntoolsError, match=r"the network 'committee' has no option 'width' \(it takes none\)"):
        prepare(SimulationConfig(task=TASK, network_options=(("width", 2.0),)))
    with pytest.raises(DyntoolsError, match=r"the amplifier 'series' has no option 'nodes' \(it takes none\)"):
        make_amplifier(make_marginal("alg", 1.0), "series", 3, {"nodes": 4.0})
    with pytest.raises(DyntoolsError, match="amplifier 'quadrature' has no option 'nodes'"):
        prepare(SimulationConfig(task=TASK, amplifier_options=(("nodes", 4.0),)))
    with pytest.raises(DyntoolsError, match=r"the amplifier 'series' has no option 'order' \(it takes none\)"):
        make_amplifier(make_marginal("alg", 1.0), "series", 3, {"order": 5.0})  # --order sets it, no option


@pytest.mark.parametrize("settings", [dict(task=TaskSpec(family="gaussian", n_dims=12)), dict(bias=True),
                                      dict(network="two-layer")])
def test_option_names_are_checked_with_the_settings_even_where_no_amplifier_is_built(settings):
    """Gaussian pixels (a linear amplifier), biases or the two-layer network (no theory): the
    chosen form is never built, and its options are checked all the same, before any work."""
    config = SimulationConfig(**{"task": TASK, **settings}, amplifier_options=(("nodes", 4.0),))
    with pytest.raises(DyntoolsError, match="amplifier 'quadrature' has no option 'nodes'"):
        config.validate()
    with pytest.raises(DyntoolsError, match="network '(committee|two-layer)' has no option 'width'"):
        SimulationConfig(**{"task": TASK, **settings}, network_options=(("width", 1.0),)).validate()


@pytest.mark.parametrize("options, message", [
    ((("temperature", float("nan")),), "must be a finite number"), ((("1x", 1.0),), "must be an identifier"),
    ((("t", 1.0), ("t", 2.0)), "given twice"), ((("t",),), "must be pairs"), ((("t", True),), "finite number")])
def test_malformed_options_are_refused_when_the_config_is_checked(options, message):
    with pytest.raises(DyntoolsError, match=message) as error:
        SimulationConfig(task=TASK, network_options=options).validate()
    assert error.value.arguments == ("network_options",)


def test_options_are_saved_and_read_back_and_the_record_schema_checks_them():
    config = SimulationConfig(task=TASK, network_options=(("temperature", 0.5),), amplifier_options=())
    saved = json.loads(json.dumps(config.as_dict()))
    assert saved["network_options"] == [["temperature", 0.5]]
    assert SimulationConfig.from_dict(saved) == config
    spec = _spec_of(tuple[tuple[str, float], ...])
    check(saved["network_options"], spec, "config.network_options")
    for bad, why in (([["temperature"]], "has 1 items, not 2"), ([[1, 0.5]], "is an integer, not a string"),
                     ([["t", "hot"]], "is a string, not a number")):
        with pytest.raises(Corrupt, match=why):
            check(bad, spec, "config.network_options")


def test_the_series_order_is_the_series_forms_own_option():
    marginal = make_marginal("gennorm", 1.0)
    phi = make_amplifier(marginal, "series", 7)
    assert phi.order == 7 and len(phi.coefficients) == 8
    assert make_amplifier(marginal, "quadrature", 7).kind == "quadrature"  # a form without the option ignores it
    assert build_task(TASK).n_pixels == 12
