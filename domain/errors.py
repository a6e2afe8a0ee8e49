"""The base exception of the domain package."""


class DomainError(Exception):
    """Base of every error the pure domain code raises about the data it was given."""
