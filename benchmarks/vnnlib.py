"""Benchmark: VNN-LIB queries on a trained ONNX network, verisnn side by side with Marabou.

For every property ``NET_*.vnnlib`` next to the network (default: ``examples/digits``, the 64-16-16-10
digits MLP and its local-robustness properties; ``--net examples/digits/digits_32x32.onnx`` for the 64-32-32-10 one), three runs, **one process per query each**, timed
as whole processes (start-up and imports included, as a user running the tool sees it):

* **verisnn ReLU**: ``verisnn verify NET PROP --json``;
* **verisnn SNN direct**: ``verisnn verify SNN PROP --json`` on the coded SNN that ``verisnn emulate
  NET --domain 0:1`` builds once (built before the runs, its time printed apart): firing-time bounds,
  affine neurons, symbolic bounds, then one z3 query;
* **verisnn SNN twin**: ``verisnn verify SNN PROP --twin NET --json``: the property is decided on the
  ReLU twin and transferred by an exact equivalence proof on the box;
* **Marabou**: maraboupy 2.0.0 (the ``bench`` extra) reads the same ONNX file and property file.

Per query it prints the verdicts (verisnn's must agree with Marabou's: ``proved`` = unsat,
``refuted`` = sat; a disagreement is printed and makes the run exit nonzero), the three times and the ratios verisnn / Marabou.
Run ``python benchmarks/vnnlib.py [--dir DIR] [--net NET.onnx] [--timeout S] [--only SUBSTRING] [--no-snn]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARABOU = r"""
import sys, warnings
warnings.filterwarnings("ignore")
from maraboupy import Marabou
net = Marabou.read_onnx(sys.argv[1])
opts = Marabou.createOptions(verbosity=0, timeoutInSeconds=int(float(sys.argv[3])))
res, vals, stats = net.solve(verbose=False, options=opts, propertyFilename=sys.argv[2])
print("RESULT", res)
"""

VERDICT_OF = {"unsat": "proved", "sat": "refuted"}


CPU: list[float] = []  # CPU seconds (user + sys) of the last run's process


def run(cmd: list[str], timeout: float) -> tuple[str, float, str]:
    """(stdout, whole-process wall seconds, stderr); stdout 'TIMEOUT' past the timeout.  CPU[-1]: its CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()  # timing
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        out, err = p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        out, err = "TIMEOUT", ""
    wall = time.perf_counter() - start  # timing
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)  # timing
    return out, wall, err


def verisnn_verdict(out: str) -> tuple[str, str]:
    if out == "TIMEOUT":
        return "timeout", ""
    try:
        doc = json.loads(out)
    except json.JSONDecodeError:
        return "error", out[-200:]
    return doc["verdict"], doc.get("details", {}).get("method", "")


def marabou_verdict(out: str) -> str:
    if out == "TIMEOUT":
        return "timeout"
    for line in out.splitlines():
        if line.startswith("RESULT"):
            word = line.split()[1]
            return VERDICT_OF.get(word, word)
    return "error"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="examples/digits")
    parser.add_argument("--net", default=None, help="ONNX network (default: the first .onnx file in --dir); its "
                                                    "properties are the files NETNAME_*.vnnlib in --dir")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--wall", type=float, default=300.0,
                        help="wall-clock seconds a process may take before it counts as a timeout (a busy machine "
                             "stretches wall time far beyond the solver's --timeout)")
    parser.add_argument("--only", default=None)
    parser.add_argument("--no-snn", action="store_true")
    args = parser.parse_args()
    folder = Path(args.dir)
    net = Path(args.net) if args.net else min(folder.glob("*.onnx"))
    props = sorted(p for p in folder.glob(f"{net.stem}_*.vnnlib") if args.only is None or args.only in p.name)
    exe = [str(Path(sys.executable).with_name("verisnn"))]
    tmp = Path(tempfile.mkdtemp(prefix="verisnn-bench-"))
    snn = tmp / "snn.json"
    if not args.no_snn:
        out, secs, err = run([*exe, "emulate", str(net), "-o", str(snn), "--domain", "0:1", "--json"], args.wall)
        if not snn.exists():
            sys.exit(f"emulate failed: {err or out}")
        print(f"emulation of {net.name} on [0,1]^d built once: {secs:.2f}s (not counted below)")
    head = f"{'property':<34} {'Marabou':>16} {'verisnn ReLU':>22} {'ratio':>6}"
    if not args.no_snn:
        head += f" {'SNN direct':>22} {'ratio':>6} {'SNN twin':>15} {'ratio':>6}"
    print(head)
    ratios_relu, ratios_snn, ratios_twin = [], [], []
    cpu_rows: list[tuple] = []
    disagreements: list[tuple[str, str, str]] = []
    for prop in props:
        m_out, m_secs, _ = run([sys.executable, "-c", MARABOU, str(net), str(prop), str(args.timeout)],
                                   args.wall)
        mv = marabou_verdict(m_out)
        m_cpu = CPU[-1]
        r_out, r_secs, _ = run([*exe, "verify", str(net), str(prop), "--json", "--timeout", str(args.timeout)],
                               args.wall)
        rv, rm = verisnn_verdict(r_out)
        cpu_rows.append((prop.name, m_cpu, CPU[-1]))
        line = f"{prop.name:<34} {mv:>8} {m_secs:6.2f}s {rv:>8} {rm:>6} {r_secs:6.2f}s {r_secs / m_secs:6.2f}"
        ratios_relu.append(r_secs / m_secs)
        verdicts = [rv]
        if not args.no_snn:
            s_out, s_secs, _ = run([*exe, "verify", str(snn), str(prop), "--json", "--timeout", str(args.timeout)],
                                   args.wall)
            sv, sm = verisnn_verdict(s_out)
            cpu_rows[-1] += (CPU[-1],)
            line += f" {sv:>8} {sm:>6} {s_secs:6.2f}s {s_secs / m_secs:6.2f}"
            ratios_snn.append(s_secs / m_secs)
            t_out, t_secs, _ = run([*exe, "verify", str(snn), str(prop), "--twin", str(net), "--json", "--timeout",
                                    str(args.timeout)], args.wall)
            tv, _ = verisnn_verdict(t_out)
            cpu_rows[-1] += (CPU[-1],)
            line += f" {tv:>8} {t_secs:6.2f}s {t_secs / m_secs:6.2f}"
            ratios_twin.append(t_secs / m_secs)
            verdicts += [sv, tv]
        print(line, flush=True)
        for v in verdicts:
            if v in ("proved", "refuted") and mv in ("proved", "refuted") and v != mv:
                # verisnn's counterexamples are exact and replayed; a proof against a Marabou 'sat' is a bug to chase
                print(f"  DISAGREEMENT on {prop.name}: verisnn {v}, Marabou {mv}"
                      + (" (verisnn's counterexample is checked exactly)" if v == "refuted" else ""), flush=True)
                disagreements.append((prop.name, v, mv))
    print("CPU seconds (user + sys) of the same processes, less sensitive to a busy machine:")
    for row in cpu_rows:
        name, m, *ours = row
        print(f"  {name:<34} Marabou {m:6.2f}  " + "  ".join(f"{label} {v:6.2f} ({v / m:5.2f}x)" for label, v in
                                                         zip(("ReLU", "SNN direct", "SNN twin"), ours)))
    if ratios_relu:
        print(f"ratio verisnn ReLU / Marabou: max {max(ratios_relu):.2f}, "
              f"geometric mean {_gmean(ratios_relu):.2f}")
    for label, ratios in (("SNN direct", ratios_snn), ("SNN twin", ratios_twin)):
        if ratios:
            print(f"ratio verisnn {label} / Marabou (on the ReLU network): max {max(ratios):.2f}, "
                  f"geometric mean {_gmean(ratios):.2f}")
    if disagreements:
        sys.exit(f"{len(disagreements)} disagreement(s): {disagreements}")


def _gmean(xs: list[float]) -> float:
    import math

    return math.exp(sum(math.log(x) for x in xs) / len(xs))  # timing statistics only


if __name__ == "__main__":
    main()
