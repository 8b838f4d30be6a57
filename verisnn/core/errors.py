"""One error hierarchy for verisnn.

Every error a user can cause (bad files, bad numbers, bad options) is a :class:`VerisnnError`;
the CLI turns it into exit code 2 and one line on stderr.  :class:`InternalError` signals a bug
in verisnn itself (for example an encoding whose counterexample the exact simulator does not
reproduce) and is never a verdict.
"""

from __future__ import annotations


class VerisnnError(Exception):
    """Base class of every error caused by bad user input."""


class InvalidNetwork(VerisnnError, ValueError):
    """A network, kernel or code description is malformed."""


class InvalidInput(VerisnnError, ValueError):
    """An input vector, domain or option value is malformed."""


class InternalError(RuntimeError):
    """verisnn contradicted itself; this is a bug, never a result."""


def plural(k: int, word: str, many: str | None = None) -> str:
    """``1 output``, ``2 outputs`` (``many`` for an irregular plural), for the messages users read."""
    return f"{k} {word if k == 1 else (many or word + 's')}"
