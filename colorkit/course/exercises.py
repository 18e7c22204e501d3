"""Check cells for the lessons' exercises: compare a learner's number with the lesson's own answer.

Introduced in notebook ``00_quickstart``. :func:`check` prints one line and returns True or False; it
never raises, so a lesson whose exercises are still unanswered runs through (papermill, CI).
"""

from __future__ import annotations

import numpy as np


def check(answer, expected, tol: float = 1e-6, what: str = "") -> bool:
    """Is ``answer`` within ``tol`` of ``expected``? Prints one line saying so and returns True or False.

    ``answer=None`` (an exercise not done yet) says so and returns False. Scalars are compared as
    ``|answer - expected| <= tol``; arrays with ``np.allclose(answer, expected, rtol=0, atol=tol)``.
    Anything that cannot be compared (a string, a wrong shape) counts as not yet correct.
    """
    what = what or "the answer"
    if answer is None:
        print("not answered yet: set answer = ... above (expected a number)")
        return False
    try:
        a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
        ok = bool(np.allclose(a, e, rtol=0.0, atol=tol)) if (a.ndim or e.ndim) else bool(abs(float(a) - float(e)) <= tol)
    except (TypeError, ValueError):
        ok = False
    if ok:
        shown = f"{float(expected):.4g}" if np.ndim(expected) == 0 else np.array2string(np.asarray(expected, dtype=float), precision=4)
        print(f"correct: {what} = {shown}")
    else:
        print(f"not yet: {what} is not {answer}; look at the hint")
    return ok
