"""Shared fixtures: ``browser``, a headless Chrome or Chromium (Debian's ``chromium`` and ``chromium-driver``,
which ``make test`` installs through ``.ci/ensure_browser.sh``; or one already installed, e.g. on macOS; or the
paths in ``COLORKIT_CHROME`` and ``COLORKIT_CHROMEDRIVER``) driven by Selenium. A missing browser fails the
tests that need it: it never skips."""
import os
import shutil
from pathlib import Path

import pytest

# the same search as .ci/ensure_browser.sh
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            "/Applications/Chromium.app/Contents/MacOS/Chromium")
CHROMEDRIVER = ("chromedriver", "/usr/lib/chromium/chromedriver")


def _which(names) -> str | None:
    for name in names:
        found = shutil.which(name) or (name if Path(name).is_file() else None)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Selenium WebDriver) that logs the page's JavaScript errors (``browser`` log,
    level SEVERE) and cannot reach any host but 127.0.0.1: a page that needs the network shows errors."""
    binary = os.environ.get("COLORKIT_CHROME") or _which(CHROMIUM)
    driver_path = os.environ.get("COLORKIT_CHROMEDRIVER") or _which(CHROMEDRIVER)
    if binary is None or driver_path is None:
        pytest.fail("the browser tests need Chrome or Chromium and its chromedriver: `make test` installs them "
                    "(.ci/ensure_browser.sh), or sudo apt-get install -y --no-install-recommends chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1600", "--allow-file-access-from-files",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def severe_messages(driver) -> list[str]:
    """The SEVERE entries of the browser's console log since the last call (JavaScript errors, failed loads)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.fixture
def js_errors():
    return severe_messages
