"""Schema diff: two schema models in, a safe versioned migration and its undo out."""

from schemawright.diff.compare import diff
from schemawright.diff.planning import DestructiveChangeError, Plan, Step, plan

__all__ = ["DestructiveChangeError", "Plan", "Step", "diff", "plan"]
