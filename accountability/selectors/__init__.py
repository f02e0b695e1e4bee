"""Reads of the accountability app, one module per feature."""
