class StorageError(Exception):
    """A storage problem worth a one-line message to the user (never a traceback)."""


class SchemaVersionError(StorageError):
    """The database is at a revision this program does not know (or not initialised)."""
