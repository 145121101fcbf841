"""Checkers for the course's exercises: each says in words what is right or wrong.

A notebook of the course (``docs/course/NN_*.ipynb``) ends with two or three exercises:
a cell where the learner writes an answer (a number, an array, a function, an
``mg.Function`` subclass...) and a check cell that hands it to a checker::

    from checkers.lesson1 import check_broadcast_gradient

    check_broadcast_gradient(a_grad);

The notebook runs with ``docs/course/`` as its working directory (Jupyter starts the
kernel in the notebook's folder), so ``checkers`` imports as a package from there.

A checker computes the true answer with minigrad itself, compares, and prints one
verdict: "Right: ...", or "Not yet: ..." saying what differs and, where the mistake is a
common one, which one it is. It returns True or False, and never raises on a wrong
answer: the prefilled learner cells hold ``None`` or a stub, which the checker reports
as "Not done yet", so the notebook runs top to bottom before anyone has answered.

One module per lesson (``lesson1.py`` ...); ``verdict.py``, shared by all of them, has
the three ways a checker ends and the steps before it compares (calling a learner's
function, checking what it returned, formatting numbers). The worked solutions are in
``docs/course/solutions/``, and ``tests/test_course_checkers.py`` (lessons 1-4 and 8),
``tests/test_course_regularization.py`` (5-7) and ``tests/test_course_lesson9.py`` show
every checker accepting its solution and rejecting a wrong answer with the right words.
"""
