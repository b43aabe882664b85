"""The trusted side of the sandbox: the pool of warm workers, which speaks the typed protocol
of ``grader.protocol`` with them, and the execution records it builds from their reports.

May import the wire types and ``grader.errors``; never the judges or the oracles.
"""
