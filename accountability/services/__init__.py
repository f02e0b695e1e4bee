"""Writes of the accountability app, one module per feature (scorecards, commitments, …)."""
