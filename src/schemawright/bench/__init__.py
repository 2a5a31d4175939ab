"""Workload benchmark: the design measured against its performance targets (``schemawright bench``)."""
