"""The stages wired together: grade one notebook (one ``run_checks`` path), a batch (local or
Dask), the student's self-check, the pytest session and the demo; ``warm`` starts a
command's sandbox before the rest of its start-up.

May import every other room; nothing imports it but the CLI and the plugin.
"""
