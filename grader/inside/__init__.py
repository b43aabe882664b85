"""What runs in the student's process tree: the warm zygote and its forked child, output
capture, containment, probes, recording datasets and timing measurement.

May import only the standard library, third-party packages, ``grader.inside`` and the
neutral leaves ``grader.evidence``, ``grader.protocol`` and ``grader.paths``
(``tests/test_layout.py`` enforces it).
"""
