"""VORI apps."""
