"""``verisnn simulate``: exact firing times and the causal pattern for one input."""

from __future__ import annotations

import click

from verisnn.cli.options import json_option, network_argument
from verisnn.cli.render import echo_json
from verisnn.core.numbers import fmt
from verisnn.io import load_network, parse_inputs
from verisnn.semantics.simulate import simulate


@click.command("simulate")
@network_argument
@click.option("--input", "-i", "input_text", required=True, metavar="T1,T2,...",
              help="Input spike times, comma-separated rationals (3, -1/2, 0.25); 'inf' = no spike.")
@json_option
def simulate_command(net: str, input_text: str, as_json: bool) -> None:
    """Simulate NET exactly: every neuron's firing time and causal set, and the outputs (docs/model.md).

    Times are exact rationals; a silent neuron has time 'inf' and causal set null.  An arrival
    exactly at a neuron's firing time is not causal.
    """
    network = load_network(net)
    sim = simulate(network, parse_inputs(input_text, network.dimension))
    if as_json:
        echo_json(sim.to_json())
        return
    click.echo(f"inputs:  {', '.join(f'{n}={fmt(sim.times[n])}' for n in network.inputs)}")
    width = max(len(v) for v in network.order) if network.order else 1
    for v in network.order:
        causal = sim.causal_sources(v)
        act = sim.activations[v]
        if causal is None:
            click.echo(f"  {v:<{width}}  silent")
        else:
            how = " (at an upward jump)" if act is not None and act.jump else ""
            click.echo(f"  {v:<{width}}  t = {fmt(sim.times[v])}  causal: {{{', '.join(causal)}}}{how}")
    click.echo(f"outputs: {', '.join(f'{o}={fmt(sim.times[o])}' for o in network.outputs)}")
    if network.codes is not None and network.codes.outputs:
        click.echo(f"decoded: {', '.join(fmt(v) for v in sim.decoded_outputs())}")
