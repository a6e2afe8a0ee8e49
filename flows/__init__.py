"""VORI flows."""
