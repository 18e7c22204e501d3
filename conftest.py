"""``pytest --nbval-lax notebooks`` (the second half of ``make test``; here at the repository root so that notebooks/
holds only paired lessons): the exercises' solution cells are left to
``tests/test_notebooks.py::test_lesson_and_its_solutions_run_under_smoke``, which runs them; here they would only
run a second time."""


def pytest_collection_modifyitems(config, items):
    solutions = [i for i in items if "solution" in getattr(getattr(i, "cell", None), "metadata", {}).get("tags", [])]
    if solutions:
        config.hook.pytest_deselected(items=solutions)
        items[:] = [i for i in items if i not in solutions]
