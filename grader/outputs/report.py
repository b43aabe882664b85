"""``gdgrade report``: the class view, derived from the stored result files only.

Checks that need review (undecided timing checks, points awarded provisionally) are
counted ("N checks need review") and listed, and left out of the pass rate per check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from grader.errors import CourseError
from grader.outputs.plots import bar_base64
from grader.outputs.results import SubmissionResult


def load_results(course: Path) -> list[SubmissionResult]:
    """Every results/<student>/<assignment>/gdgrade.json of the course."""
    return [
        SubmissionResult.model_validate_json(p.read_text(encoding="utf-8"))
        for p in sorted((course / "results").glob("*/*/gdgrade.json"))
    ]


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
            "mean": sum(r.score for r in rs) / len(rs),
            "max": rs[0].max_score,
            "full": sum(r.score >= r.max_score for r in rs),
        }
        for name, rs in sorted(by_assignment.items())
    ]
    passes: dict[str, list[bool]] = defaultdict(list)
    mistakes: Counter[str] = Counter()
    titles: dict[str, str] = {}
    where: dict[str, set[str]] = defaultdict(set)
    review: list[dict[str, str]] = []
    for r in results:
        for c in r.checks:
            if c.needs_review:
                review.append(
                    {"student": r.student, "assignment": r.assignment, "check": c.check_id}
                )
            else:
                passes[c.check_id].append(c.status == "passed")
            if c.diagnosis and c.diagnosis.mistake:
                mistakes[c.diagnosis.mistake] += 1
                titles[c.diagnosis.mistake] = c.diagnosis.title
                where[c.diagnosis.mistake].add(c.check_id)
    series = {
        a["name"]: [r.score / r.max_score * 100 for r in by_assignment[a["name"]]]
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
            {titles[k]: n for k, n in mistakes.most_common(10)},
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
            mistakes=[
                {"title": titles[k], "count": n, "checks": sorted(where[k])}
                for k, n in mistakes.most_common()
            ],
            slowest=sorted(results, key=lambda r: -r.seconds)[:10],
            review=review,
        )
    )
    out = course / "reports" / "class.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
