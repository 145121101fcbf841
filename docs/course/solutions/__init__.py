"""Worked solutions of the course's exercises, one module per lesson, one function (or
class) per exercise, named as the exercise's learner cell names its answer.
tests/test_course_checkers.py runs each through its checker."""
