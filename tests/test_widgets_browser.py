"""colorkit.widgets live in a real browser: Voila serves a tiny notebook with the before/after slider on
127.0.0.1, headless Chromium moves the slider, and the picture the kernel sends back changes."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from conftest import severe_messages

NOTEBOOK = """\
from colorkit.data.samples import load_sample
from colorkit.widgets import BeforeAfter
import numpy as np

photo = load_sample("astronaut")
gray = np.repeat(photo.mean(-1, keepdims=True), 3, -1).astype(np.uint8)
slider = BeforeAfter(gray, photo, position=0.5, labels=("gray", "colour"), max_side=256)
slider.show();
"""
# the picture's pixels, summed: the live view is an <img> with a blob: URL the page may read back
PIXEL_SUM = """
const img = document.querySelector('img.widget-image, .widget-image img, .jupyter-widgets img');
if (!img || !img.complete || !img.naturalWidth) return null;
const c = document.createElement('canvas');
c.width = img.naturalWidth; c.height = img.naturalHeight;
const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
const d = ctx.getImageData(0, 0, c.width, c.height).data;
let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] * 3 + d[i + 1] * 5 + d[i + 2] * 7;
return [img.src, s];
"""
HANDLE = ".noUi-handle, .ui-slider-handle"  # ipywidgets 8 (noUiSlider), 7 (jQuery UI)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(condition, timeout: float, what: str, interval: float = 0.5):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve_notebook(tmp_path, code: str, name: str, browser=None):
    """Voila serving a one-cell notebook of ``code`` on 127.0.0.1 (a free port); yields its URL and kills the
    server at the end, whatever happens. Shared by the browser tests of every widget. ``browser``: the session's
    Chromium, sent to a blank page (its log emptied) before the server goes, so the errors of a page whose server
    was stopped never reach the next test."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / f"{name}.ipynb")
    port = _free_port()
    env = {**os.environ, "COLORKIT_HOME": str(tmp_path / "home"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("MPLBACKEND", None)
    log = open(tmp_path / "voila.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "voila", f"{name}.ipynb", "--no-browser", f"--port={port}",
                               "--Voila.ip=127.0.0.1", "--show_tracebacks=True",
                               # jupytext's lab extension (the notebooks extra) does not load in Voila's page
                               '--VoilaConfiguration.extension_denylist=["jupyterlab-jupytext"]'],
                              cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(lambda: server.poll() is not None or _answers(url + "api/status") or _answers(url),
                  120, "Voila to answer")
        assert server.poll() is None, (tmp_path / "voila.log").read_text()
        yield url
    finally:
        if browser is not None:
            browser.get("about:blank")
            severe_messages(browser)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def voila(tmp_path, browser):
    """Voila serving the slider notebook."""
    with serve_notebook(tmp_path, NOTEBOOK, "slider", browser) as url:
        yield url


def _move(browser, handle, key, times: int = 15):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).click(handle).perform()
    for _ in range(times):
        handle.send_keys(key)


def test_moving_the_slider_in_the_browser_changes_the_picture(voila, browser, js_errors):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(voila)  # Voila runs the notebook, then sends the page with the live widgets
    handle = _wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, HANDLE), 180, "the slider")[0]
    before = _wait_for(lambda: browser.execute_script(PIXEL_SUM), 60, "the picture")
    _move(browser, handle, Keys.ARROW_RIGHT)
    moved = _wait_for(lambda: (lambda now: now if now and now[1] != before[1] else None)(
        browser.execute_script(PIXEL_SUM)), 60, "the picture to change after moving the slider right")
    assert moved[0] != before[0]  # a new picture came from the kernel
    value = browser.find_element(By.CSS_SELECTOR, ".widget-readout").text
    assert float(value) > 0.5, f"the slider reads {value}"
    _move(browser, handle, Keys.ARROW_LEFT, times=30)
    back = _wait_for(lambda: (lambda now: now if now and now[1] != moved[1] else None)(
        browser.execute_script(PIXEL_SUM)), 60, "the picture to change after moving the slider left")
    assert float(browser.find_element(By.CSS_SELECTOR, ".widget-readout").text) < 0.5
    assert back[1] != before[1]
    # Voila's own page asks a CDN for Font Awesome, which the browser cannot reach (no host but 127.0.0.1)
    errors = [e for e in js_errors(browser) if not (e.startswith("https://cdn.jsdelivr.net/") and "Failed to load" in e)]
    assert not errors, "\n\n".join(errors)
