"""nbgrader's side of things: reading notebooks (the one cell-role classifier), restoring
protected cells from the source, the course directory layout and release.

May import ``grader.errors``, ``grader.paths`` and nbgrader; nothing that judges.
"""
