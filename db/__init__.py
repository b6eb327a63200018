"""Storage layer: typed ORM schema, engine/session factory, Alembic migrations, repository.

Nothing here imports torch or textual, and no engine exists until `make_engine` is called.
"""
