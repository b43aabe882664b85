"""Checks of the shipped demo course, one module per assignment (loaded by the registry)."""
