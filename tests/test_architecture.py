"""The house rules of ARCHITECTURE.md, checked: imports run one way (function-local ones included), no cycle,
nothing but the course and the CLI imports ``colorkit.course``, short functions, and every "introduced in
notebook NN" claim names a lesson that really imports the piece."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "colorkit"

# lowest first; a module may import its own layer and the layers below it, never one above
LAYERS = [
    ("colorkit.__version__",),  # the package's version: any module may read it
    ("colorkit.files", "colorkit.color", "colorkit.quantize", "colorkit.runtime", "colorkit.paths",
     "colorkit.presets"),
    ("colorkit.viz",),  # pictures: arrays and matplotlib figures (colour science only)
    ("colorkit.guided",),  # colour hints: the format, the simulated user, Levin's optimisation, cheap propagation
    ("colorkit.data",),
    ("colorkit.models",),
    ("colorkit.checkpoint",),
    ("colorkit.objectives",),
    ("colorkit.train",),
    ("colorkit.colorize",),
    ("colorkit.onnx_export",),
    ("colorkit.evaluate",),
    ("colorkit.reference",),  # the shipped reference models: loading (checkpoint) and packaging (measured by evaluate)
    ("colorkit.colorize_guided",),  # colorization with hints: Levin or a hint network (the shipped one by default)
    ("colorkit.reference_hints", "colorkit.reference_recipe"),  # packaging the hint model (measured with hints); the recipe of every reference
    ("colorkit.widgets", "colorkit.hint_widget"),
    ("colorkit.course", "colorkit.cli.args"),  # the input checks every command shares, `colorkit run` included
    ("colorkit.cli", "colorkit"),  # the entry points: the command line, and `colorkit.load` (lazy)
]
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def layer(mod: str) -> int:
    if mod == "colorkit":
        return len(LAYERS) - 1
    best = None
    for i, prefixes in enumerate(LAYERS):
        for pre in prefixes:
            if (mod == pre or mod.startswith(pre + ".")) and (best is None or len(pre) >= best[1]):
                best = (i, len(pre))
    assert best is not None, f"{mod} is in no layer of tests/test_architecture.py: add it (and to ARCHITECTURE.md)"
    return best[0]


def imports(mod: str) -> list[tuple[str, int]]:
    """(imported colorkit module, line) for every import in ``mod``, function-local ones included."""
    path = MODULES[mod]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "colorkit"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports (from colorkit.x import y)"
            if node.module and node.module.split(".")[0] == "colorkit":
                subs = [f"{node.module}.{a.name}" for a in node.names
                        if f"{node.module}.{a.name}" in MODULES or f"{node.module}.{a.name}" == "colorkit.__version__"]
                out += [(s, node.lineno) for s in subs] or [(node.module, node.lineno)]
    return [(m if m in MODULES or m == "colorkit.__version__" else m.rsplit(".", 1)[0], line) for m, line in out]


def test_every_module_has_a_layer():
    for mod in MODULES:
        layer(mod)


def test_imports_run_one_way():
    upward = [f"{MODULES[m].relative_to(ROOT)}:{line} imports {t} (layer {layer(t)} above {layer(m)})"
              for m in MODULES for t, line in imports(m) if layer(t) > layer(m)]
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    graph = {m: {t for t, _ in imports(m) if t in MODULES and t != m and not m.startswith(t + ".")} for m in MODULES}
    # a package's __init__ importing its own submodules is how packages work: not a cycle
    state, cycles = {}, []

    def visit(m, stack):
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join(stack[stack.index(t):] + [t]))
            elif t not in state:
                visit(t, stack + [t])
        state[m] = 2

    for m in MODULES:
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


def test_nothing_outside_the_course_imports_it():
    bad = [f"{m} imports {t}" for m in MODULES for t, _ in imports(m)
           if (t == "colorkit.course" or t.startswith("colorkit.course."))
           and not (m == "colorkit.course" or m.startswith("colorkit.course."))]
    assert not bad, "\n".join(bad)


def test_functions_are_short():
    long = []
    for mod, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {n} lines")
    assert not long, "\n".join(long)


def _lesson_imports(lesson: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(lesson.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("colorkit"):
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("mod", sorted(m for m in MODULES if m != "colorkit"))
def test_introduced_in_names_a_lesson_that_imports_it(mod):
    doc = ast.get_docstring(ast.parse(MODULES[mod].read_text())) or ""
    claimed = set(re.findall(r"[Ii]ntroduced in (?:notebooks? |lessons? )?((?:``\d\d_\w+``(?:,? (?:and )?)?)+)", doc))
    lessons = {n for group in claimed for n in re.findall(r"``(\d\d_\w+)``", group)}
    for name in sorted(lessons):
        path = ROOT / "notebooks" / f"{name}.py"
        assert path.exists(), f"{mod}: its docstring names {name}, which is no lesson"
        used = _lesson_imports(path)
        assert any(u == mod or u.startswith(mod + ".") for u in used), \
            f"{mod}: its docstring says lesson {name} introduces it, but {name} never imports it"


def test_architecture_md_names_every_module_and_layer():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    tops = {m.split(".")[1] for m in MODULES if m.count(".") >= 1}
    missing = sorted(t for t in tops if f"`{t}`" not in text and f"`{t}/`" not in text and f"{t}/" not in text)
    assert not missing, f"ARCHITECTURE.md does not mention {missing}: describe where they sit"
    for prefixes in LAYERS:
        for pre in prefixes:
            leaf = pre.split(".")[-1]
            assert leaf in text, f"ARCHITECTURE.md has no word on {pre}"


# tests of the whole rather than of one module
CROSS_CUTTING_TESTS = {"test_architecture", "test_base", "test_benchmarks", "test_bootstrap", "test_checkpoint_fixture",
                       "test_ensure_browser", "test_gpu_check", "test_notebooks", "test_project_files"}


def test_tests_mirror_the_package():
    """``tests/test_<a>_<b>.py`` tests ``colorkit/<a>/<b>.py`` (or the module ``<a>`` with a topic ``<b>``)."""
    names = {m.replace("colorkit.", "", 1).replace(".", "_") for m in MODULES if m != "colorkit"}
    stray = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        stem = path.stem[len("test_"):]
        if path.stem in CROSS_CUTTING_TESTS:
            continue
        if not any(stem == n or stem.startswith(n + "_") for n in names):
            stray.append(path.name)
    assert not stray, f"name these after the module they test (colorkit/<a>/<b>.py -> test_<a>_<b>.py): {stray}"
