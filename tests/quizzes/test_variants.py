"""Variants are deterministic per (quiz, student), differ between students, keys are JSON."""

from __future__ import annotations

import json

from grader.quizzes import oracles, render, variants


def _numbers(v: variants.QuizVariant) -> list:
    return [(i.id, i.params, i.answer) for i in v.items]


def test_same_student_same_variant(quizzes) -> None:
    for quiz in quizzes.values():
        assert variants.build(quiz, "s1") == variants.build(quiz, "s1")


def test_students_get_different_numbers(quizzes) -> None:
    quiz = quizzes["lr_rules"]
    a, b = variants.build(quiz, "alice"), variants.build(quiz, "bob")
    assert _numbers(a) != _numbers(b)
    seen = {json.dumps(_numbers(variants.build(quiz, f"s{i}"))) for i in range(20)}
    assert len(seen) >= 18


def test_seed_is_stable_and_item_local(quizzes) -> None:
    assert variants.seed("q", "s", "i") == variants.seed("q", "s", "i")
    assert variants.seed("q", "s", "i") != variants.seed("q", "s", "j")
    quiz = quizzes["gd_basics"]
    fewer = quiz.model_copy(update={"items": quiz.items[1:]})
    full, cut = variants.build(quiz, "ana"), variants.build(fewer, "ana")
    assert _numbers(full)[1:] == _numbers(cut)


def test_answers_are_the_oracles_answers(quizzes) -> None:
    quiz = quizzes["gd_basics"]
    v = variants.build(quiz, "ana")
    item = next(i for i in v.items if i.id == "quadratic_three_steps")
    p = item.params
    assert item.answer == oracles.call("quadratic_gd_iterates", x0=p["x0"], lr=p["lr"], steps=3)
    assert str(p["x0"]) in item.prompt and str(p["lr"]) in item.prompt
    wrong = {w.label: w.value for w in item.wrong_answers}
    assert wrong["sign_error"] == oracles.call(
        "quadratic_gd_iterates_sign_error", x0=p["x0"], lr=p["lr"], steps=3
    )


def test_wrong_answers_never_equal_the_answer(quizzes) -> None:
    for quiz in quizzes.values():
        for s in range(15):
            for item in variants.build(quiz, f"s{s}").items:
                for w in item.wrong_answers:
                    assert item.tolerance is not None
                    a = item.answer if isinstance(item.answer, list) else [item.answer]
                    b = w.value if isinstance(w.value, list) else [w.value]
                    assert any(
                        not item.tolerance.accepts(x, y) for x, y in zip(a, b, strict=False)
                    ), item.id


def test_key_json_shape(quizzes) -> None:
    v = variants.build(quizzes["exit_ticket"], "ana")
    data = json.loads(json.dumps(render.key(v)))
    assert data["quiz"] == "exit_ticket" and data["student"] == "ana"
    ids = [i["id"] for i in data["items"]]
    assert ids == [i.id for i in quizzes["exit_ticket"].items]
    small = next(i for i in data["items"] if i["id"] == "mini_exercise_small_lr")
    assert small["answer"] == oracles.call("quadratic_gd_iterates", x0=-6, lr=0.5, steps=2)


def test_render_formats(quizzes) -> None:
    import nbformat

    v = variants.build(quizzes["gd_basics"], "ana")
    md = render.render(v, "md")
    assert "# Gradient descent basics" in md and "**A.**" in md and "`ana`" in md
    page = render.render(v, "html")
    assert page.startswith("<!doctype html>") and "<ol type='A'>" in page
    nb = nbformat.reads(render.render(v, "ipynb"), as_version=4)
    nbformat.validate(nb)
    ids = [c.metadata.get("gdgrade_question_id") for c in nb.cells if c.cell_type == "raw"]
    assert ids == [i.id for i in v.items]


def _orders(quiz, student: str) -> dict[str, list[str]]:
    built = variants.build(quiz, student)
    return {i.id: [o.key for o in i.options] for i in built.items if i.options}


def test_each_student_sees_the_options_in_an_order_of_their_own(quizzes) -> None:
    from grader.quizzes.grading import grade

    quiz = quizzes["gd_basics"]
    bank_order = {i.id: [o.key for o in i.options] for i in quiz.items if hasattr(i, "options")}
    assert _orders(quiz, variants.SHARED) == bank_order  # what an LMS export shares
    assert _orders(quiz, "ana") == _orders(quiz, "ana")
    seen = {json.dumps(_orders(quiz, f"s{i}")) for i in range(20)}
    assert len(seen) >= 18
    for i in range(20):  # the numbers do not move when the options are shuffled
        built = variants.build(quiz, f"s{i}")
        plain = quiz.model_copy(
            update={
                "items": [
                    it.model_copy(update={"shuffle": False}) if hasattr(it, "shuffle") else it
                    for it in quiz.items
                ]
            }
        )
        assert _numbers(built) == _numbers(variants.build(plain, f"s{i}"))
    # a letter is read against the student's own sheet
    item = next(i for i in variants.build(quiz, "ana").items if i.kind == "multiple_choice")
    letter = variants.letter([o.key for o in item.options].index(item.answer))
    assert grade(item, letter).status == "correct"


def test_shuffle_false_keeps_the_bank_order(quizzes) -> None:
    quiz = quizzes["minibatch_in_action"]
    item = next(i for i in quiz.items if i.id == "fastest_initial_learning")
    assert item.shuffle is False
    keys = [o.key for o in item.options]
    assert all(_orders(quiz, f"s{i}")[item.id] == keys for i in range(10))
