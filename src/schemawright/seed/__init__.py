"""Synthetic data: constraint-satisfying rows at any scale, loaded with COPY (``schemawright seed``)."""

from schemawright.datagen.plan import SeedError, SeedPlan, TablePlan, build_plan

__all__ = ["SeedError", "SeedPlan", "TablePlan", "build_plan"]
