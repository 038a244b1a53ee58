"""Adapters that run cleaner on existing scale-out engines (datatrove, Ray Data)."""
