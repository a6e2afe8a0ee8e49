"""VORI connectors."""
