"""The hint editor in a real browser: Voila serves a tiny notebook with a HintEditor (anywidget front end, a
fast fake colorizer injected) on 127.0.0.1; headless Chromium clicks a point of the photo, sets the colour
picker, and the picture the kernel sends back turns that colour around the point; Undo brings it back."""

import numpy as np
import pytest

# the waits and the Voila server of the slider's browser test (pytest puts tests/ on sys.path)
from test_widgets_browser import _wait_for, serve_notebook

NOTEBOOK = """\
import numpy as np
from colorkit.color import lab_to_rgb8, rgb8_to_l
from colorkit.data.samples import load_sample
from colorkit.hint_widget import HintEditor


def disks(image, hints):  # fast stand-in for Levin / the hint network: each hint's a*b* in a disk, L kept
    L = rgb8_to_l(image)
    h, w = L.shape
    ab = np.zeros((h, w, 2), np.float32)
    rows, cols = np.mgrid[0:h, 0:w]
    for hint in hints:
        r, c = min(int(hint.y * h), h - 1), min(int(hint.x * w), w - 1)
        ab[(rows - r) ** 2 + (cols - c) ** 2 <= (0.15 * max(h, w)) ** 2] = hint.ab
    return lab_to_rgb8(L, ab)


editor = HintEditor(load_sample("astronaut"), colorize=disks, max_side=256)
editor.show();
"""
POINT = (0.3, 0.7)  # where the test clicks, as fractions of the picture (mid-gray suit: room for colour)
CHOSEN = "#10b040"  # the colour it picks
# mean RGB of the picture's pixels in a square around (x, y), read from the <img> the page shows
PATCH = """
const [x, y, half] = arguments;
const img = document.querySelector('.ck-hint img.ck-after');
if (!img || !img.complete || !img.naturalWidth) return null;
const c = document.createElement('canvas');
c.width = img.naturalWidth; c.height = img.naturalHeight;
const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
const col = Math.floor(x * c.width), row = Math.floor(y * c.height);
const d = ctx.getImageData(col - half, row - half, 2 * half + 1, 2 * half + 1).data;
const s = [0, 0, 0];
for (let i = 0; i < d.length; i += 4) { s[0] += d[i]; s[1] += d[i + 1]; s[2] += d[i + 2]; }
const n = d.length / 4;
return {src: img.src.length + ':' + img.src.slice(-40), rgb: s.map((v) => v / n),
        centre: Array.from(ctx.getImageData(col, row, 1, 1).data.slice(0, 3))};
"""
DOT = """
const d = document.querySelector('.ck-hint .ck-dot.ck-selected');
return [parseFloat(d.style.left) / 100, parseFloat(d.style.top) / 100];
"""
SET_PICKER = """
const picker = document.querySelector('.ck-hint input.ck-color');
picker.value = arguments[0];
picker.dispatchEvent(new Event('input', {bubbles: true}));
picker.dispatchEvent(new Event('change', {bubbles: true}));
"""


@pytest.fixture
def voila(tmp_path, browser):
    """Voila serving the editor notebook."""
    with serve_notebook(tmp_path, NOTEBOOK, "editor", browser) as url:
        yield url


def _ab(rgb) -> np.ndarray:
    from colorkit.color import rgb_to_lab

    return rgb_to_lab(np.array([[rgb]], np.float32) / 255.0)[0, 0, 1:]


def _patch(browser, half: int = 4):
    return browser.execute_script(PATCH, *POINT, half)


def _changed(browser, old):
    now = _patch(browser)
    return now if now and now["src"] != old["src"] else None


def _click_on_picture(browser, img, x: float, y: float) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    rect = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];", img)
    # Selenium 4 offsets are from the element's centre
    ActionChains(browser).move_to_element_with_offset(img, (x - 0.5) * rect[0], (y - 0.5) * rect[1]).click().perform()


def test_click_pick_a_colour_and_undo_in_the_browser(voila, browser, js_errors, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(voila)  # Voila runs the notebook, then sends the page with the live editor
    img = _wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".ck-hint img.ck-after"), 180,
                    "the hint editor (anywidget's front end)")[0]
    start = _wait_for(lambda: _patch(browser), 60, "the picture")
    assert np.abs(_ab(start["rgb"])).max() < 2, start  # no hints yet: the fake colorizer gives the gray copy

    _click_on_picture(browser, img, *POINT)
    _wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".ck-hint .ck-dot.ck-selected"), 30, "a hint's dot")
    picker = browser.find_element(By.CSS_SELECTOR, ".ck-hint input.ck-color")
    # the suggestion: the colour the picture had at the pixel clicked (where the dot now sits)
    dot = browser.execute_script(DOT)
    assert np.abs(np.subtract(dot, POINT)).max() < 0.01, dot
    suggested = [int(picker.get_attribute("value")[i:i + 2], 16) for i in (1, 3, 5)]
    assert suggested == browser.execute_script(PATCH, *dot, 0)["centre"]  # an unchanged picture: gray there
    clicked = _wait_for(lambda: _patch(browser), 30, "the picture after the click")

    browser.execute_script(SET_PICKER, CHOSEN)
    coloured = _wait_for(lambda: _changed(browser, clicked), 30, "the picture to change after picking a colour")
    target = _ab([int(CHOSEN[i:i + 2], 16) for i in (1, 3, 5)])
    before_d, after_d = np.linalg.norm(_ab(start["rgb"]) - target), np.linalg.norm(_ab(coloured["rgb"]) - target)
    assert after_d < 0.5 * before_d, f"a*b* distance to {CHOSEN}: {before_d:.1f} before, {after_d:.1f} after"
    browser.save_screenshot(str(tmp_path / "editor.png"))

    undo = browser.find_element(By.CSS_SELECTOR, ".ck-hint button.ck-undo")
    undo.click()  # the colour goes back to the suggestion: the picture as it was before
    back = _wait_for(lambda: _changed(browser, coloured), 30, "the picture to change after Undo")
    assert np.abs(np.subtract(back["rgb"], start["rgb"])).max() < 2, (back["rgb"], start["rgb"])
    undo.click()  # and the hint itself goes
    _wait_for(lambda: not browser.find_elements(By.CSS_SELECTOR, ".ck-hint .ck-dot"), 30, "the dot to go")
    assert "0 hints" in browser.find_element(By.CSS_SELECTOR, ".ck-hint .ck-status").text
    assert _patch(browser)["src"] == start["src"]  # the very same picture (served from the cache)
    # Voila's own page asks a CDN for Font Awesome, which the browser cannot reach (no host but 127.0.0.1)
    errors = [e for e in js_errors(browser) if not (e.startswith("https://cdn.jsdelivr.net/") and "Failed to load" in e)]
    assert not errors, "\n\n".join(errors)
