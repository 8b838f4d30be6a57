"""Bad sizes and unwritable files are input errors (exit 2, one line), never hangs or tracebacks."""

import pytest
from conftest import EXAMPLES


@pytest.mark.parametrize("args, message", [
    (["prove", "C1", "--size", "d=100"], "out of range for C1"),
    (["prove", "C1-param", "--size", "d=-1"], "out of range"),
    (["prove", "C2", "--size", "kernel=gauss"], "kernel='gauss'"),
    (["prove", "C3", "--size", "widths=[0]"], "widths"),
    (["prove", "C1", "--size", "d="], "empty"),
    (["prove", "--size", "d=2"], "needs the claim ids"),
    (["regions", EXAMPLES / "fact_sum.json", "-d", "0:1", "--plot", "/nonexistent/dir/x.png"], "/nonexistent/dir/x.png"),
    (["emulate", EXAMPLES / "relu_small.json", "-o", "/nonexistent/dir/x.json", "-d", "0:1"], "/nonexistent/dir"),
])
def test_input_errors_exit_2(cli, args, message):
    """Each bad argument gives exit 2 and one line naming it."""
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in r.err
