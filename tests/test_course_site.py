"""colorkit.course.site: the static site of the course, built from lessons executed under ``smoke`` and opened
in a real (headless Chromium) browser: every page loads without JavaScript errors, offline, with its pictures."""
import re
from pathlib import Path

import nbformat
import pytest

from colorkit import course
from colorkit.course import site

# the lesson with figures and the one with the before/after widgets: enough to see every kind of output
SITE_LESSONS = ["00", "07", "08"]
NETWORK_RESOURCE = re.compile(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*"
                              r"[\"']?\s*(?:https?:)?//", re.I)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """Lessons 00, 07 and 08 executed under smoke by the course runner (``colorkit run --preset smoke``)."""
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("site_run")
    mp.setenv("COLORKIT_HOME", str(root / "home"))
    mp.setenv("COLORKIT_PRESET", "smoke")
    mp.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend puts the figures into the notebooks
    mp.delenv("COLORKIT_INSTALL_FROM", raising=False)
    try:
        run = course.run_course("smoke", out_dir=root / "run", only=SITE_LESSONS)
    finally:
        mp.undo()
    assert run.ok, run.summary_markdown()
    return run.out_dir


@pytest.fixture(scope="module")
def built(smoke_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    return site.build_site(smoke_run, out)


def test_site_has_an_index_and_a_page_per_lesson(built, smoke_run):
    names = [p.name for p in built]
    assert names == ["index.html", "00_quickstart.html", "07_colorize_your_photos.html", "08_user_guided.html"]
    index = built[0].read_text()
    for row in (site.lesson_row(p) for p in sorted(smoke_run.glob("*.ipynb"))):
        assert f'href="{row["name"]}.html"' in index and row["title"] and row["title"] in index
    assert "Quickstart" in index and "smoke" in index and "de2000/gray copy" in index and "class=\"failed\">" not in index


def test_pages_need_no_network(built):
    for page in built:
        text = page.read_text()
        assert not NETWORK_RESOURCE.findall(text), f"{page.name} loads something from the network"
        assert "require.js" not in text and "mathjax" not in text.lower() and "unpkg.com" not in text
        assert "colab-badge.svg" not in text and "open-in-kaggle.svg" not in text  # badges became links
        assert "widget-view+json" not in text and "widget-state+json" not in text  # widgets: static fallback


def test_widgets_show_their_static_picture(built):
    page = built[2].read_text()
    assert page.count('src="data:image/png;base64,') >= 2  # the comparison and the before/after slider
    assert "divider at" in page  # the widget's caption (its text/plain) travels with the picture
    assert 'href="https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/' in page


def test_the_hint_editor_shows_its_static_picture(built):
    """Lesson 08's click-to-colour editor, without a kernel: the picture with the hints as dots, its caption."""
    page = built[3].read_text()
    printed = re.search(r"the editor colorizes with [^<]*; 6 hints", page)  # the line printed above the editor
    assert printed, "lesson 08's editor cell printed nothing"
    after = page[printed.end():]
    assert after.count('src="data:image/png;base64,') >= 2  # the editor, then its before/after and full size
    assert after.index('src="data:image/png;base64,') < after.index("editor.undo()")  # the editor's own picture


def test_every_page_loads_in_a_browser_with_its_pictures(built, browser, js_errors):
    js_errors(browser)  # forget what came before
    for page in built:
        browser.get(page.resolve().as_uri())
        assert browser.execute_script("return document.readyState") == "complete"
        assert not js_errors(browser), f"{page.name}: JavaScript errors or failed loads"
        images = browser.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.src.slice(0, 40)])")
        broken = [src for done, width, src in images if not done or width == 0]
        assert not broken, f"{page.name}: images that did not load: {broken}"
        if page.name != "index.html":
            assert images, f"{page.name} shows no picture"
            assert browser.title.startswith(page.stem[:2])  # the lesson's heading, e.g. "00 · Quickstart: ..."
            assert browser.find_element("css selector", "nav.colorkit-nav a").get_attribute("href").endswith("index.html")
    browser.get(built[0].resolve().as_uri())
    links = browser.execute_script("return Array.from(document.querySelectorAll('td a')).map(a => a.href)")
    assert [Path(link).name for link in links] == [p.name for p in built[1:]]


def _executed(path: Path, outputs=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("[![Open In Colab](https://x/b.svg)](https://colab/x)\n\n# 00 · Hello"),
                nbformat.v4.new_code_cell("x", outputs=list(outputs))]
    nbformat.write(nb, path)
    return path


def test_latest_run_is_the_newest_with_executed_lessons(tmp_path):
    assert site.latest_run(tmp_path / "none") is None
    for name in ("20240101-000000", "20250101-000000", "20260101-000000", "records", "checkpoints"):
        (tmp_path / name).mkdir()
    _executed(tmp_path / "20240101-000000" / "00_quickstart.ipynb")
    _executed(tmp_path / "20250101-000000" / "00_quickstart.ipynb")
    _executed(tmp_path / "records" / "00_quickstart.ipynb")
    assert site.latest_run(tmp_path) == tmp_path / "20250101-000000"  # 2026 holds no lesson


def test_site_notebook_keeps_the_static_fallback_only(tmp_path):
    widget = nbformat.v4.new_output("display_data", data={
        site.WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
        "image/png": "iVBORw0KGgo=", "text/plain": "<BeforeAfter>"})
    rec = nbformat.v4.new_output("display_data", data={course.RECORD_MIME: {"a": 1}, "text/plain": "RECORD a = 1"})
    nb = nbformat.read(_executed(tmp_path / "00_x.ipynb", [widget, rec]), as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    clean = site.site_notebook(nb)
    assert "widgets" not in clean.metadata and "widgets" in nb.metadata  # a copy: the original is kept
    assert set(clean.cells[1].outputs[0].data) == {"image/png", "text/plain"}
    assert set(clean.cells[1].outputs[1].data) == {"text/plain"}
    assert clean.cells[0].source.startswith("[Open In Colab](https://colab/x)")
    assert site.lesson_title(clean) == "00 · Hello"


def test_main_builds_from_the_latest_run_or_runs_smoke_first(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    calls = []

    def fake_run_course(preset):
        calls.append(preset)
        out = tmp_path / "runs" / "20250101-000000"
        out.mkdir(parents=True)
        _executed(out / "00_quickstart.ipynb")
        return course.CourseRun(out_dir=out, preset=preset)

    monkeypatch.setattr(course, "run_course", fake_run_course)
    assert site.main(["--out", str(tmp_path / "site")]) == 0
    assert calls == ["smoke"] and (tmp_path / "site" / "00_quickstart.html").exists()
    assert site.main(["--out", str(tmp_path / "site2")]) == 0
    assert calls == ["smoke"]  # the run is there now: reused
    assert "00 · Hello" in (tmp_path / "site2" / "index.html").read_text()
    with pytest.raises(FileNotFoundError, match="no executed lesson"):
        site.build_site(tmp_path / "runs" / "records", tmp_path / "site3")
