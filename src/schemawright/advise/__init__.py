"""Index advisor: candidate indexes from a workload, kept only when they measurably help."""
