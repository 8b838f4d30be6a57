"""`verisnn prove` and `verisnn regions` on a Dask cluster vs the serial run: wall time, ratio, equal results.

Run:  python benchmarks/cluster.py [--claims C4 C9 ...] [--workers 2] [--kill-after 8] [--pool]
                                   [--regions 3-10-10] [--no-prove] [--no-regions]

Every run is the real command in a subprocess, end to end (start-up and cluster start-up included):

* ``serial``: ``verisnn prove --jobs 1``, the baseline;
* ``local``: ``verisnn prove --scheduler local --jobs W`` (a LocalCluster of W one-thread workers);
* ``external`` (with ``--kill-after S``): a ``dask scheduler`` and W ``dask worker --nthreads 1``
  processes started here on 127.0.0.1, ``verisnn prove --scheduler tcp://...`` pointed at them,
  and one worker killed (SIGKILL, with its nanny) S seconds into the run;
* ``pool`` (with ``--pool``): ``verisnn prove --jobs W``, today's local process pool.

``--regions WIDTHS`` (default 3-10-10) also counts the regions of the issue-10 network of that
shape (``issue_network`` of benchmarks/regions.py, seed 0) on ``[-4, 4]^d`` with the default LP
backend, ``verisnn regions --json``: serially, then with ``--scheduler local --jobs 1`` and
``--jobs W``.  The JSON documents (without ``seconds``) must be equal to the serial one.

All runs use one snapshot of the committed code (``git archive HEAD`` into a temporary folder),
so that edits made in the working tree during the benchmark do not change what is compared, and
a long solver timeout (``--timeout``, default 600 s), so that a busy machine does not turn a slow
proof into a timeout.  Each run's results (verdicts, reasons, counterexamples, details without
times and solver statistics) are compared with the serial run's; the claims whose results differ
are named.  The CPU seconds of each run (the command and every process it started) and the
machine's load average (``uptime``) before and after are printed, since other work on the
machine slows the parallel runs first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT  # replaced by the snapshot folder in main()
TIMEOUT = "600"


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SNAPSHOT)}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def verisnn(*args: str) -> tuple[float, float, dict]:
    t0, c0 = time.perf_counter(), cpu()
    proc = subprocess.run([sys.executable, "-m", "verisnn", "prove", "--json", "--timeout", TIMEOUT, *args],
                          capture_output=True, text=True, cwd=SNAPSHOT, env=env(), check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"verisnn prove {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return seconds, cpu() - c0, json.loads(proc.stdout)


def regions(net: Path, box: str, *args: str) -> tuple[float, float, dict]:
    """``verisnn regions NET --domain BOX --json ARGS``: wall and CPU seconds, and the document without its time."""
    t0, c0 = time.perf_counter(), cpu()
    proc = subprocess.run([sys.executable, "-m", "verisnn", "regions", str(net), "--domain", box, "--json", *args],
                          capture_output=True, text=True, cwd=SNAPSHOT, env=env(), check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"verisnn regions {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    doc = json.loads(proc.stdout)
    doc.pop("seconds")
    return seconds, cpu() - c0, doc


def region_runs(widths: str, workers: int, tmp: Path) -> None:
    """Time the region count of one issue-10 network serially and on local clusters of 1 and ``workers`` workers."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from regions import issue_network  # the networks of benchmarks/regions.py

    from verisnn.io import save_network

    shape = [int(w) for w in widths.split("-")]
    net = tmp / f"issue-{widths}.json"
    save_network(issue_network(shape), net)
    print(f"\nregions of the issue-10 network {widths} on [-4, 4]^{shape[0]}; load before: {load()}")
    runs = [("serial", *regions(net, "-4:4"))]
    for w in sorted({1, workers}):
        runs.append((f"--scheduler local --jobs {w}", *regions(net, "-4:4", "--scheduler", "local", "--jobs", str(w))))
    print(f"load after:  {load()}")
    serial = runs[0][3]
    print(f"{serial['count']} regions, {serial['pieces']} pieces, {serial['lp_checks']} exact LP checks")
    print(f"{'run':<40} {'wall':>7} {'CPU':>7} {'ratio':>6}  results")
    for name, seconds, cpu_s, doc in runs:
        same = "equal to serial" if doc == serial else "DIFFERENT from serial"
        print(f"{name:<40} {seconds:6.1f}s {cpu_s:6.1f}s {runs[0][1] / seconds:5.2f}x  {same}")


def untimed(doc):
    """A result document without what differs between runs of one query: times and solver statistics."""
    if isinstance(doc, dict):
        return {k: untimed(v) for k, v in doc.items() if k not in ("seconds", "solver")}
    if isinstance(doc, list):
        return [untimed(v) for v in doc]
    return doc


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def external(claims: list[str], workers: int, kill_after: float) -> tuple[float, float, dict, str]:
    """Run against a scheduler and workers started here; kill one worker ``kill_after`` seconds in."""
    bin_dir = Path(sys.executable).parent
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True, "env": env(),
             "cwd": SNAPSHOT}
    c0 = cpu()
    procs = [subprocess.Popen([bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], **quiet)]
    try:
        time.sleep(2)
        procs += [subprocess.Popen([bin_dir / "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                    "--host", "127.0.0.1", "--no-dashboard"], **quiet) for _ in range(workers)]
        time.sleep(3)
        t0 = time.perf_counter()
        run = subprocess.Popen([sys.executable, "-m", "verisnn", "prove", "--json", "--timeout", TIMEOUT, "--scheduler",
                                address, *claims], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=SNAPSHOT, env=env())
        time.sleep(kill_after)
        note = "no worker killed (the run ended first)"
        if run.poll() is None:
            os.killpg(procs[1].pid, signal.SIGKILL)  # the nanny and its worker process: gone for good
            note = f"one of {workers} workers killed after {kill_after:g}s"
        out, err = run.communicate()
        seconds = time.perf_counter() - t0
        if run.returncode not in (0, 1):
            sys.exit(f"external run exited {run.returncode}: {err.strip()[-2000:]}")
        doc = json.loads(out)
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
    return seconds, cpu() - c0, doc, note  # CPU: the command, the scheduler and the workers


def main() -> None:
    global SNAPSHOT, TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", nargs="*", default=[], help="claim ids (default: the whole default table)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=None, help="also run on an external cluster, killing a "
                        "worker this many seconds in")
    parser.add_argument("--pool", action="store_true", help="also run the local process pool (--jobs W)")
    parser.add_argument("--timeout", default=TIMEOUT, help="solver timeout of every run (seconds)")
    parser.add_argument("--regions", default="3-10-10", metavar="WIDTHS", help="shape of the region benchmark network")
    parser.add_argument("--no-prove", action="store_true", help="skip the `verisnn prove` runs")
    parser.add_argument("--no-regions", action="store_true", help="skip the `verisnn regions` runs")
    args = parser.parse_args()
    TIMEOUT = args.timeout
    w = str(args.workers)
    with tempfile.TemporaryDirectory(prefix="verisnn-cluster-bench-") as tmp:
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        SNAPSHOT = Path(tmp)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        print(f"code: commit {head}; load before: {load()}")
        if not args.no_regions:
            region_runs(args.regions, args.workers, SNAPSHOT)
        if args.no_prove:
            return
        runs: list[tuple[str, float, float, dict, str]] = []
        seconds, cpu_s, serial = verisnn("--jobs", "1", *args.claims)
        runs.append(("serial (--jobs 1)", seconds, cpu_s, serial, ""))
        seconds, cpu_s, doc = verisnn("--scheduler", "local", "--jobs", w, *args.claims)
        runs.append((f"local cluster, {w} one-thread workers", seconds, cpu_s, doc, ""))
        if args.kill_after is not None:
            seconds, cpu_s, doc, note = external(args.claims, args.workers, args.kill_after)
            runs.append((f"dask scheduler + {w} dask workers", seconds, cpu_s, doc, note))
        if args.pool:
            seconds, cpu_s, doc = verisnn("--jobs", w, *args.claims)
            runs.append((f"process pool (--jobs {w})", seconds, cpu_s, doc, ""))
        print(f"load after:  {load()}")
    report(runs, serial)


def report(runs: list[tuple[str, float, float, dict, str]], serial: dict) -> None:
    """The prove runs' table: wall, CPU, ratio to serial, and the claims whose results differ."""
    base = runs[0][1]
    reference = [untimed(r) for r in serial["results"]]
    per_check = sum(r["seconds"] for r in serial["results"])
    print(f"\n{len(serial['results'])} checks; sum of per-check times in the serial run {per_check:.1f}s")
    print(f"{'run':<40} {'wall':>7} {'CPU':>7} {'ratio':>6}  results")
    for name, seconds, cpu_s, doc, note in runs:
        differ = [f"{a['claim']} {json.dumps(a['size'], separators=(',', ':'))}"
                  for a, b in zip(reference, (untimed(r) for r in doc["results"])) if a != b]
        same = "equal to serial" if not differ else "DIFFERENT from serial: " + "; ".join(differ)
        print(f"{name:<40} {seconds:6.1f}s {cpu_s:6.1f}s {base / seconds:5.2f}x  {same}" + (f"  ({note})" if note else ""))


if __name__ == "__main__":
    main()
