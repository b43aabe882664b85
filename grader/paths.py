"""Where things are: the repository, the shipped course, the quiz banks.

A leaf module (standard library only), so both sides of the sandbox may import it.
"""

from __future__ import annotations

from pathlib import Path

GRADER_DIR = Path(__file__).resolve().parent
"""The ``grader`` package."""
REPO_ROOT = GRADER_DIR.parent
"""The directory that holds ``grader/`` and ``reference/`` (the repository, in a checkout)."""
COURSE_SOURCE = REPO_ROOT / "assignments"
"""The shipped demo course (nbgrader layout)."""
QUIZ_DIR = REPO_ROOT / "quizzes"
"""The shipped exit-ticket quiz banks."""
TOPICS_FILE = COURSE_SOURCE / "topics.yaml"
"""The course topics every assignment and quiz item traces back to."""
