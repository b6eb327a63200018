"""CLI subcommands, grouped by area; each module exposes register(group)."""
