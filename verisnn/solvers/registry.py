"""The backends by name: the CLI's ``--solver`` choices are read from here.

Adding a solver is one file with a class that has ``name``, ``check`` and ``optimize`` (see
:class:`~verisnn.solvers.base.Backend`) and one line below.
"""

from __future__ import annotations

from verisnn.core.errors import InvalidInput
from verisnn.solvers.base import Backend
from verisnn.solvers.both import Composite
from verisnn.solvers.cvc5_backend import Cvc5Backend
from verisnn.solvers.z3_backend import Z3Backend

_Z3, _CVC5 = Z3Backend(), Cvc5Backend()
BACKENDS: dict[str, Backend] = {"z3": _Z3, "cvc5": _CVC5, "both": Composite("both", (_Z3, _CVC5))}

#: the names users can choose, in the order the CLI lists them
NAMES: tuple[str, ...] = tuple(BACKENDS)


def backend(name: str) -> Backend:
    """The backend called ``name`` (InvalidInput naming the choices otherwise)."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise InvalidInput(f"solver must be one of {', '.join(NAMES)}, got {name!r}") from None
