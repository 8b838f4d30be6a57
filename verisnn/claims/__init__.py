"""Claims: the papers' statements as runnable checks (registry, runner, seeded generators)."""

from verisnn.claims.registry import Claim, Outcome, RunContext, claim, discover, select

__all__ = ["Claim", "Outcome", "RunContext", "claim", "discover", "select"]
