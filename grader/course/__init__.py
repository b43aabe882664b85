"""The checks of the shipped demo course, one module per assignment (the registry loads them).

May import ``grader``'s public API and ``reference``; nothing here runs in the sandbox.
"""
