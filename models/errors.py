"""Exceptions raised by the models package.

Both carry a single-line message meant to be shown to a user as is, so callers
(the CLI, the TUI) never need to format tracebacks for expected failures.
"""


class ModelError(RuntimeError):
    """A model (base encoder or trained weights) is missing, corrupt or incompatible."""


class DataError(ValueError):
    """Input data is missing or malformed; the message names file, line and problem."""
