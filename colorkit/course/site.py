"""The course as a static site (``make site``): one HTML page per executed lesson and an index.

Used by ``make site`` (``python -m colorkit.course.site``). The pages come from the executed notebooks of
the latest course run (``runs/<timestamp>/``, written by :func:`colorkit.course.run_course`); without one,
the lessons run under ``smoke`` first. Every page stands alone and offline: figures are embedded
(base64), no script or style sheet is fetched from a CDN (require.js, MathJax, mermaid and the widget
manager are left out), and each widget shows its static fallback (the PNG :mod:`colorkit.widgets` puts
beside the live view). ``index.html`` holds the lesson table: lesson, title, status, minutes and the
numbers the lesson recorded.
"""
from __future__ import annotations

import argparse
import copy
import html
import re
import sys
from pathlib import Path

from colorkit.paths import runs_dir

from colorkit.course import RECORD_MIME, _shown, records_from_notebook

RUN_FOLDER = re.compile(r"^\d{8}-\d{6}$")  # runs/<timestamp>/ as run_course names it
LESSON_FILE = "[0-9][0-9]_*.ipynb"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
BADGE = re.compile(r"\[!\[(Open In \w+)\]\([^)]*\)\]\(([^)]*)\)")  # [![Open In Colab](svg)](url)

# The lab template without anything fetched from the network; a bar links each page to the index.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block body_header -%}
{{ super() }}
<nav class="colorkit-nav" style="padding:8px 12px;font-family:sans-serif">
<a href="index.html">&larr; colorkit course</a>{{ resources.colorkit_nav }}</nav>
{%- endblock body_header -%}
"""

INDEX_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
               "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:6px 8px;"
               "text-align:left;vertical-align:top}th{background:#f3f4f6}td.numbers{font-size:85%}"
               ".failed{color:#b91c1c;font-weight:600}")


def run_folders(root: Path | None = None) -> list[Path]:
    """The course runs under ``root`` (default ``<home>/runs``) that hold executed lessons, oldest first."""
    root = Path(root) if root else runs_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and RUN_FOLDER.match(p.name) and any(p.glob(LESSON_FILE)))


def latest_run(root: Path | None = None) -> Path | None:
    """The newest ``runs/<timestamp>/`` with executed lessons, or None."""
    folders = run_folders(root)
    return folders[-1] if folders else None


def lesson_title(nb) -> str:
    """The lesson's first Markdown heading (``00 · Quickstart: ...``), or ''."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def lesson_row(path: Path) -> dict:
    """What the index shows of one executed lesson: name, title, status, minutes and records."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    meta = nb.metadata.get("papermill", {})
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    records = records_from_notebook(path)
    minutes = records.get("minutes")
    if not isinstance(minutes, (int, float)) and meta.get("duration") is not None:
        minutes = meta["duration"] / 60
    return {"name": path.stem, "title": lesson_title(nb), "ok": not errors and not meta.get("exception"),
            "minutes": minutes, "preset": meta.get("parameters", {}).get("PRESET", ""), "records": records}


def site_notebook(nb):
    """A copy of ``nb`` fit for an offline page: widgets keep only their static fallback (the live view's
    entry and the saved widget state need a widget manager from a CDN), badges become plain links (their
    pictures live on colab.research.google.com and kaggle.com), records show as their text."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = BADGE.sub(lambda m: f"[{m.group(1)}]({m.group(2)})", cell.source)
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None:
                for mime in (WIDGET_VIEW_MIME, RECORD_MIME):
                    data.pop(mime, None)
    return nb


def page_html(nb, nav: str = "", title: str = "") -> str:
    """One lesson as a standalone HTML page (lab template, images embedded, nothing from the network)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="colorkit_site.html.j2", embed_images=True,
                            extra_loaders=[DictLoader({"colorkit_site.html.j2": TEMPLATE})])
    resources = {"colorkit_nav": nav, "metadata": {"name": title or lesson_title(nb) or "colorkit lesson"}}
    body, _ = exporter.from_notebook_node(site_notebook(nb), resources=resources)
    return body


def _nav(rows: list[dict], i: int) -> str:
    links = []
    if i > 0:
        links.append(f'<a href="{rows[i - 1]["name"]}.html">&larr; {html.escape(rows[i - 1]["name"])}</a>')
    if i + 1 < len(rows):
        links.append(f'<a href="{rows[i + 1]["name"]}.html">{html.escape(rows[i + 1]["name"])} &rarr;</a>')
    return "".join(f" &nbsp;|&nbsp; {link}" for link in links)


def _numbers(records: dict) -> str:
    shown = [f"{html.escape(str(k))} = {html.escape(_shown(v))}" for k, v in records.items() if k != "minutes"]
    return "<br>".join(shown)


def index_html(rows: list[dict], run_dir: Path | None = None) -> str:
    """The site's front page: the lesson table, each lesson linked to its page."""
    presets = sorted({r["preset"] for r in rows if r["preset"]})
    lines = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
             f"<title>colorkit course</title><style>{INDEX_STYLE}</style></head><body>",
             "<h1>colorkit: the course</h1>",
             f"<p>Executed lessons of the run <code>{html.escape(run_dir.name if run_dir else '?')}</code>"
             f" (preset {html.escape(', '.join(presets) or '?')}).</p>",
             "<table><thead><tr><th>lesson</th><th>title</th><th>status</th><th>minutes</th>"
             "<th>numbers the lesson recorded</th></tr></thead><tbody>"]
    for r in rows:
        minutes = f"{r['minutes']:.1f}" if isinstance(r["minutes"], (int, float)) else ""
        status = "ok" if r["ok"] else '<span class="failed">failed</span>'
        lines.append(f'<tr><td><a href="{r["name"]}.html">{html.escape(r["name"])}</a></td>'
                     f"<td>{html.escape(r['title'])}</td><td>{status}</td><td>{minutes}</td>"
                     f'<td class="numbers">{_numbers(r["records"])}</td></tr>')
    lines += ["</tbody></table>", f"<p>total: {sum(r['minutes'] or 0 for r in rows):.1f} minutes</p>",
              "</body></html>"]
    return "\n".join(lines) + "\n"


def build_site(run_dir, out) -> list[Path]:
    """Write ``index.html`` and one page per executed lesson of ``run_dir`` into ``out``; returns the pages
    (index first)."""
    import nbformat

    run_dir, out = Path(run_dir), Path(out)
    lessons = sorted(run_dir.glob(LESSON_FILE))
    if not lessons:
        raise FileNotFoundError(f"{run_dir} holds no executed lesson (NN_name.ipynb): run `make run` first")
    out.mkdir(parents=True, exist_ok=True)
    rows = [lesson_row(p) for p in lessons]
    pages = [out / "index.html"]
    pages[0].write_text(index_html(rows, run_dir), encoding="utf-8")
    for i, path in enumerate(lessons):
        page = out / f"{path.stem}.html"
        nb = nbformat.read(str(path), as_version=4)
        page.write_text(page_html(nb, _nav(rows, i), rows[i]["title"]), encoding="utf-8")
        pages.append(page)
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colorkit.course.site", description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=None, help="a folder of executed lessons (default: the latest runs/<timestamp>/)")
    parser.add_argument("--out", default="site", help="where the site goes (default: site/)")
    args = parser.parse_args(argv)
    run_dir = Path(args.run) if args.run else latest_run()
    if run_dir is None:
        from colorkit.course import run_course

        print("no course run with executed lessons in runs/: running the lessons under smoke first", flush=True)
        run_dir = run_course("smoke").out_dir
    pages = build_site(run_dir, args.out)
    print(f"site of {len(pages) - 1} lessons from {run_dir}: {Path(args.out).resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
