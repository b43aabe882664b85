"""Exit-ticket quizzes: YAML banks, per-student variants, oracle-computed keys, LMS exports,
grading of response sheets and the class summary per concept.

The pipeline mirrors the grader's: ``bank`` (YAML -> validated ``models.Quiz``) ->
``variants`` (quiz + student -> ``QuizVariant`` with every number and answer computed by the
``oracles`` registry) -> ``render`` / ``export`` / ``grading`` -> ``summary``.
"""
