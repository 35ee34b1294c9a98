"""Subcommands of `qz` that belong to the core library (validate, indicators, manifest)."""
