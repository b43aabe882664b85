"""The trusted side of the sandbox: the pool of warm workers, which speaks the typed protocol
of ``grader.protocol`` with them, the execution records it builds from their reports, and the
launch of their warm process (``launch``: standard library only, so a command launches it
first thing).

May import the wire types and ``grader.errors``; never the judges or the oracles.
"""
