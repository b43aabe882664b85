"""``gdgrade report``: the class view, derived from the stored result files only.

Checks that need review (undecided timing checks, points awarded provisionally) are
counted ("N checks need review") and listed, and left out of the pass rate per check.
Scores are final (after the late penalty nbgrader's gradebook holds) and late submissions
are listed. Misconceptions are counted in students, not diagnosed checks, one row per
concept (``Diagnosis.concept``: the same idea in several checks or families), each with the
checks where it appeared, the fix and one example feedback page.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import CourseError
from grader.nbgrader_io.course import CourseDir
from grader.outputs import lateness
from grader.outputs.plots import bar_base64
from grader.outputs.results import SubmissionResult


def load_results(course: Path) -> list[SubmissionResult]:
    """Every results/<student>/<assignment>/gdgrade.json of the course."""
    return [
        SubmissionResult.model_validate_json(p.read_text(encoding="utf-8"))
        for p in sorted((course / "results").glob("*/*/gdgrade.json"))
    ]


@dataclass
class Misconception:
    """One concept's diagnoses across the class."""

    concept: str
    """``Diagnosis.concept`` (the mistake's id for results that carry none)."""
    students: set[str] = field(default_factory=set)
    """Students with it on at least one check."""
    checks: set[str] = field(default_factory=set)
    """Checks where it was named."""
    titles: Counter[str] = field(default_factory=Counter)
    """Its mistakes' titles, each counted once per student."""
    example: tuple[SubmissionResult, str] | None = None
    """The first (student order) result naming it, and that diagnosis's fix."""


def misconceptions(results: list[SubmissionResult]) -> list[Misconception]:
    """Diagnosed misconceptions by concept, most students first (then most checks, then by
    concept id)."""
    found: dict[str, Misconception] = {}
    seen: set[tuple[str, str, str]] = set()  # (concept, student, title): count a title once
    for r in sorted(results, key=lambda r: (r.student, r.assignment, r.notebook)):
        for c in r.checks:
            d = c.diagnosis
            if d is None or not d.mistake:
                continue
            concept = d.concept or d.mistake
            m = found.setdefault(concept, Misconception(concept))
            m.students.add(r.student)
            m.checks.add(c.check_id)
            if (concept, r.student, d.title) not in seen:
                seen.add((concept, r.student, d.title))
                m.titles[d.title] += 1
            if m.example is None:
                m.example = (r, d.fix)
    return sorted(found.values(), key=lambda m: (-len(m.students), -len(m.checks), m.concept))


def feedback_link(course: Path, result: SubmissionResult) -> str:
    """The result's feedback page, relative to ``reports/class.html``."""
    page = CourseDir(course).folder("feedback", result.student, result.assignment)
    page = page / f"{result.notebook}.html"
    return Path(os.path.relpath(page.resolve(), (course / "reports").resolve())).as_posix()


def _row(course: Path, m: Misconception) -> dict[str, object]:
    """What the report's table shows of one misconception."""
    titles = [t for t, _ in m.titles.most_common()]
    example, fix = m.example or (None, "")
    return {
        "title": titles[0],
        "also": titles[1:],
        "students": len(m.students),
        "checks": sorted(m.checks),
        "fix": fix,
        "example": feedback_link(course, example) if example else "",
        "example_student": example.student if example else "",
    }


def write_report(course: Path) -> Path:
    """Render reports/class.html and return its path."""
    from grader.outputs.feedback import environment

    if not course.is_dir():
        raise CourseError(f"course directory {course} does not exist")
    results = load_results(course)
    by_assignment: dict[str, list[SubmissionResult]] = defaultdict(list)
    for r in results:
        by_assignment[r.assignment].append(r)
    assignments = [
        {
            "name": name,
            "n": len(rs),
            "mean": sum(r.final_score for r in rs) / len(rs),
            "max": rs[0].max_score,
            "full": sum(r.final_score >= r.max_score for r in rs),
            "late": sum(r.late is not None for r in rs),
        }
        for name, rs in sorted(by_assignment.items())
    ]
    passes: dict[str, list[bool]] = defaultdict(list)
    review: list[dict[str, str]] = []
    for r in results:
        for c in r.checks:
            if c.needs_review:
                review.append(
                    {"student": r.student, "assignment": r.assignment, "check": c.check_id}
                )
            else:
                passes[c.check_id].append(c.status == "passed")
    mistakes = [_row(course, m) for m in misconceptions(results)]
    late = [
        {"student": r.student, "assignment": r.assignment, "line": lateness.line(r)}
        for r in sorted(results, key=lambda r: (r.assignment, r.student))
        if r.late is not None
    ]
    series = {
        a["name"]: [r.final_score / r.max_score * 100 for r in by_assignment[a["name"]]]
        for a in assignments
    }
    plots = {
        "scores": bar_base64(
            {k: sum(v) / len(v) for k, v in series.items()},
            title="mean score per assignment (%)",
            ylabel="%",
        ),
        "checks": bar_base64(
            {k: 100 * sum(v) / len(v) for k, v in sorted(passes.items())},
            title="pass rate per check (%)",
            ylabel="%",
        ),
        "mistakes": bar_base64(
            {m["title"]: m["students"] for m in mistakes[:10]},
            title="students per diagnosed mistake",
            ylabel="students",
        )
        if mistakes
        else "",
    }
    html = (
        environment()
        .get_template("class.html.j2")
        .render(
            course=course.name,
            n_results=len(results),
            n_students=len({r.student for r in results}),
            assignments=assignments,
            plots=plots,
            mistakes=mistakes,
            late=late,
            slowest=sorted(results, key=lambda r: -r.seconds)[:10],
            review=review,
        )
    )
    out = course / "reports" / "class.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
