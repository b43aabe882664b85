"""Banks validate, cover every topic, and a malformed bank fails with file, line, item, field."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest
import yaml

from grader.paths import QUIZ_DIR
from grader.quizzes import bank, schema
from grader.quizzes.models import NOTES_FILES, NumericItem, TraceItem

ASSIGNMENTS = {
    "gd_basics", "gd_variants", "lr_rules", "accumulation_normalization", "minibatch_in_action",
}  # fmt: skip

GOOD = textwrap.dedent(
    """\
    id: tiny
    title: Tiny
    assignment: gd_basics
    items:
      - id: step
        kind: numeric
        prompt: "w = {w}, g = 1, alpha = 0.1: new w?"
        topics: [update_rule]
        source: 05-assessment-and-day4-plan.md#exit-ticket
        params:
          w: {choices: [1.0, 2.0]}
        answer: {oracle: gd_update, args: {g: 1.0, lr: 0.1}}
        tolerance: {atol: 0.001}
      - id: pick
        kind: multiple_choice
        prompt: "Which way does GD step?"
        topics: [negative_gradient]
        source: 05-assessment-and-day4-plan.md#quick-quiz
        options:
          - {key: down, text: "Along minus the gradient", correct: true}
          - {key: up, text: "Along the gradient"}
    """
)


def test_every_bank_validates(quizzes) -> None:
    assert len(quizzes) >= 6
    for path in bank.bank_files():
        assert bank.load(path).id == path.stem


def test_one_quiz_per_assignment_with_six_items(quizzes) -> None:
    by_assignment: dict[str, list] = {}
    for quiz in quizzes.values():
        by_assignment.setdefault(quiz.assignment, []).append(quiz)
    assert set(by_assignment) >= ASSIGNMENTS
    for name in ASSIGNMENTS:
        assert any(len(q.items) >= 6 for q in by_assignment[name]), name


def test_every_topic_is_assessed(quizzes, topics) -> None:
    assert len(topics) == 24
    covered = {t for q in quizzes.values() for item in q.items for t in item.topics}
    assert set(topics) - covered == set()
    assert covered <= set(topics)


def test_every_item_cites_a_notes_file(quizzes) -> None:
    for quiz in quizzes.values():
        for item in quiz.items:
            assert item.source.split("#")[0] in NOTES_FILES


def test_computable_answers_come_from_oracles(quizzes) -> None:
    for quiz in quizzes.values():
        for item in quiz.items:
            if isinstance(item, NumericItem | TraceItem):
                assert item.answer.oracle
                assert all(w.oracle.oracle for w in item.wrong_answers)


def test_exit_ticket_and_mini_exercise_are_there(quizzes) -> None:
    ticket = quizzes["exit_ticket"]
    sources = {item.source for item in ticket.items}
    assert any(s.endswith("#exit-ticket") for s in sources)
    assert any(s.endswith("#mini-exercise") for s in sources)
    params = {(i.params["lr"].values()[0]) for i in ticket.items if i.kind == "trace"}
    assert params == {0.5, 1.2}
    assert (
        sum(s.endswith("#quick-quiz") for s in (i.source for i in quizzes["gd_basics"].items)) >= 4
    )


def test_schema_file_is_current() -> None:
    assert schema.SCHEMA_FILE.read_text(encoding="utf-8") == schema.generate(), (
        "quizzes/schema.json is stale: run `gdgrade quiz schema`"
    )


def test_schema_accepts_banks_and_rejects_a_broken_one() -> None:
    spec = json.loads(schema.SCHEMA_FILE.read_text(encoding="utf-8"))
    for path in bank.bank_files():
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), spec)
    broken = yaml.safe_load(GOOD)
    del broken["items"][0]["tolerance"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, spec)


def test_small_good_bank_loads(write_bank) -> None:
    quiz = bank.load(write_bank(GOOD))
    assert [i.id for i in quiz.items] == ["step", "pick"]


def _issue(write_bank, old: str, new: str):
    assert old in GOOD
    with pytest.raises(bank.BankError) as info:
        bank.load(write_bank(GOOD.replace(old, new, 1)))
    return info.value.issues


def _line_of(text: str) -> int:
    return next(i for i, ln in enumerate(GOOD.splitlines(), start=1) if text in ln)


@pytest.mark.parametrize(
    ("old", "new", "item", "field", "line_text", "words"),
    [
        ("[update_rule]", "[update_rules]", "step", "topics", "topics: [update", "unknown topic"),
        ("{atol: 0.001}", "{atol: lots}", "step", "tolerance.atol", "tolerance:", "number"),
        ("    tolerance: {atol: 0.001}\n", "", "step", "tolerance", "- id: step", "required"),
        ("oracle: gd_update,", "oracle: gd_updat,", "step", "answer", "answer:", "unknown oracle"),
        ("args: {g: 1.0, lr: 0.1}", "args: {g: 1.0}", "step", "answer", "answer:", "needs lr"),
        ("args: {g: 1.0, lr: 0.1}", "args: {g: 1.0, lr: 0.1, beta: 2}", "step", "answer",
         "answer:", "no argument 'beta'"),
        ("kind: numeric", "kind: numerc", "step", "", "- id: step", "does not match"),
        ("correct: true}", "correct: false}", "pick", "", "- id: pick", "exactly one"),
        ("id: pick", "id: step", "step", "id", "id: step\n    kind: multiple", "duplicate"),
        ("#exit-ticket", "#x\n    source: 05-assessment-and-day4-plan.md", "step", "source",
         "source:", "duplicate key"),
        ("05-assessment-and-day4-plan.md#quick", "04-nowhere.md#quick", "pick", "source",
         "04-nowhere", "no notes file"),
        ('g = 1, alpha', 'g = {g2}, alpha', "step", "prompt", "prompt:", "placeholder"),
    ],
)  # fmt: skip
def test_malformed_bank_names_file_line_item_field(
    write_bank, old, new, item, field, line_text, words
) -> None:
    issues = _issue(write_bank, old, new)
    text = GOOD.replace(old, new, 1)
    assert any(i.item == item and i.field == field and words in i.message for i in issues), [
        str(i) for i in issues
    ]
    hit = next(i for i in issues if i.item == item and words in i.message)
    assert hit.file.endswith("bank.yaml")
    first_line = line_text.split("\n")[0]
    expected = [n for n, ln in enumerate(text.splitlines(), start=1) if first_line in ln]
    if "\n" in line_text:  # the second of two equal lines
        expected = expected[1:]
    assert hit.line in expected, (str(hit), expected)
    assert f":{hit.line}:" in str(hit)


def test_oracle_failure_is_a_validation_error(write_bank) -> None:
    text = GOOD.replace("w: {choices: [1.0, 2.0]}", "w: {choices: [oops]}")
    with pytest.raises(bank.BankError) as info:
        bank.load(write_bank(text))
    assert any("oracle failed" in i.message and i.item == "step" for i in info.value.issues)


def test_yaml_syntax_error_has_a_line(write_bank) -> None:
    with pytest.raises(bank.BankError) as info:
        bank.load(write_bank(GOOD.replace("kind: numeric", "kind: [numeric")))
    (issue,) = info.value.issues
    assert issue.line > 1 and "YAML" in issue.message


def test_resolve_by_id_or_path(tmp_path) -> None:
    assert bank.resolve("gd_basics") == QUIZ_DIR / "gd_basics.yaml"
    assert bank.resolve(str(QUIZ_DIR / "lr_rules.yaml")).stem == "lr_rules"
    with pytest.raises(bank.ConfigError, match="known ids"):
        bank.resolve("no_such_quiz")
