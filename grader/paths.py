"""Where things are: the repository, the shipped course, the quiz banks.

A leaf module (standard library only), so both sides of the sandbox may import it.
"""

from __future__ import annotations

from pathlib import Path

GRADER_DIR = Path(__file__).resolve().parent
"""The ``grader`` package."""
REPO_ROOT = GRADER_DIR.parent
"""The directory that holds ``grader/`` and ``reference/`` (the repository, in a checkout)."""
CHECKOUT_COURSE = REPO_ROOT / "assignments"
"""The shipped demo course in a checkout (nbgrader layout, solutions and samples included)."""
PACKAGED_COURSE = GRADER_DIR / "course" / "shipped"
"""The shipped course as a grading install carries it: source notebooks without solutions
(``grader.nbgrader_io.grading_copy`` writes it), no samples."""
COURSE_SOURCE = CHECKOUT_COURSE if (CHECKOUT_COURSE / "source").is_dir() else PACKAGED_COURSE
"""The shipped course: the checkout's, else the copy an installed wheel carries."""
QUIZ_DIR = REPO_ROOT / "quizzes"
"""The shipped exit-ticket quiz banks."""
TOPICS_FILE = COURSE_SOURCE / "topics.yaml"
"""The course topics every assignment and quiz item traces back to."""
