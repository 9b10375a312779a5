"""Domain errors raised by services and turned into a message and a 4xx by views, the same way everywhere."""


class DomainError(Exception):
    """Base class: ``str(error)`` is a message fit to show the user (already translated by the raiser)."""

    status_code = 400


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 400
