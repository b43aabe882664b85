"""The trusted side of the sandbox: the pool of warm workers, the typed protocol it speaks
with them, and the execution records it builds from their reports.

May import the wire types and ``grader.errors``; never the judges or the oracles.
"""
