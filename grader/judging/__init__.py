"""The trusted judges: ``Check`` and verdicts, the registry, trajectory and timing judgement,
the check builders and the misconception library.

May import the wire types, ``grader.errors`` and ``reference``; never the sandbox or outputs.
"""
