"""The exceptions leakmatch raises.

Every error is a :class:`LeakmatchError`; its subclasses follow the CLI's exit statuses, and
their messages are the CLI's. No message holds an identifier: errors cite files, lines and byte
offsets only.
"""

__all__ = ["LeakmatchError", "UsageError", "InputError", "ArtifactError"]


class LeakmatchError(Exception):
    """Base of every leakmatch error."""

    #: The status ``leakmatch`` (the CLI) exits with on the same error.
    exit_status = 1


class UsageError(LeakmatchError, ValueError):
    """A bad argument: an unknown format or kind, an FPR outside (0, 1), a bad column."""

    exit_status = 2


class InputError(LeakmatchError):
    """An input, output or key file that cannot be read, parsed or written."""

    exit_status = 1


class ArtifactError(LeakmatchError):
    """A wrong key, or a corrupt, truncated, forged or incompatible filter."""

    exit_status = 3
