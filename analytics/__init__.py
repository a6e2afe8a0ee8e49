"""VORI analytics."""
