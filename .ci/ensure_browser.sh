#!/usr/bin/env bash
# `make test` runs this first: the browser tests (tests/test_course_site.py, tests/test_widgets_browser.py,
# tests/test_hint_widget_browser.py) drive a headless Chrome or Chromium with its chromedriver.
#   - found already (PATH, Debian's /usr/lib/chromium, macOS's /Applications, or COLORKIT_CHROME and
#     COLORKIT_CHROMEDRIVER): nothing to do;
#   - else on Debian/Ubuntu: apt-get installs chromium and chromium-driver (through sudo when not root; sudo -n,
#     so a password prompt never hangs a script: run `sudo true` first, or the apt-get line below yourself);
#   - else, or when the install cannot happen: one line naming the command that fixes it, exit status 2, within
#     the first minute (apt-get gets 45 s to reach its mirror).
# Never green without the browser: the tests fail, not skip, when it is missing (tests/conftest.py).
set -u
APT_LINE="apt-get install -y --no-install-recommends chromium chromium-driver"

found() {  # the same search as tests/conftest.py
    local browser driver
    browser="${COLORKIT_CHROME:-}"
    [ -n "$browser" ] || browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
    [ -n "$browser" ] || { [ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ] && browser=mac; }
    [ -n "$browser" ] || { [ -x "/Applications/Chromium.app/Contents/MacOS/Chromium" ] && browser=mac; }
    driver="${COLORKIT_CHROMEDRIVER:-}"
    [ -n "$driver" ] || driver="$(command -v chromedriver || true)"
    [ -n "$driver" ] || { [ -x /usr/lib/chromium/chromedriver ] && driver=/usr/lib/chromium/chromedriver; }
    [ -n "$browser" ] && [ -n "$driver" ]
}

fail() {
    echo "make test: the browser tests need Chrome or Chromium and its chromedriver; $1" >&2
    exit 2
}

if [ "${COLORKIT_NO_BROWSER_INSTALL:-}" = 1 ]; then  # tests of this script: behave as if apt were absent
    found && exit 0
    fail "install them (Debian/Ubuntu: sudo $APT_LINE; macOS: brew install --cask google-chrome chromedriver), or set COLORKIT_CHROME and COLORKIT_CHROMEDRIVER"
fi
found && exit 0
if ! command -v apt-get >/dev/null; then
    fail "install them (macOS: brew install --cask google-chrome chromedriver; other Linux: your package manager's chromium and chromedriver), or set COLORKIT_CHROME and COLORKIT_CHROMEDRIVER"
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    fail "run: sudo apt-get update && sudo $APT_LINE  (this script cannot use sudo without a password)"
fi
echo "make test: installing Debian's chromium and chromium-driver for the browser tests (apt-get)"
export DEBIAN_FRONTEND=noninteractive
if ! timeout 45 "${SUDO[@]}" apt-get update -qq; then
    fail "apt-get update failed or took over 45 s (no network?); run: sudo apt-get update && sudo $APT_LINE"
fi
LOG="$(mktemp)"
if ! timeout 900 "${SUDO[@]}" $APT_LINE -qq >"$LOG" 2>&1; then
    tail -n 20 "$LOG" >&2
    fail "apt-get could not install them (its last lines are above); run: sudo $APT_LINE"
fi
rm -f "$LOG"
found || fail "apt-get ran but no chromium/chromedriver is on PATH; run: sudo $APT_LINE"
echo "make test: chromium and chromium-driver installed"
