"""What grading writes: the result models, feedback pages with plots, LMS files, nbgrader's
gradebook, the class report, the terminal summary and the coverage matrix.

May import the wire types, ``grader.nbgrader_io`` and ``grader.judging``; never the sandbox.
"""
