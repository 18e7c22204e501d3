"""``.ci/ensure_browser.sh`` (run first by ``make test``): a browser already there is used; where it cannot be
installed, one line names the fix and the exit status is 2, at once (issue 26)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "ensure_browser.sh"
APT_LINE = "apt-get install -y --no-install-recommends chromium chromium-driver"


def fake_bin(tmp_path, names: dict[str, str]) -> Path:
    """A folder with the few real tools the script uses and fake ones (``name: shell body``)."""
    folder = tmp_path / "bin"
    folder.mkdir(parents=True)
    for tool in ("bash", "id", "timeout", "true", "env", "mktemp", "tail", "rm"):
        real = shutil.which(tool)
        if real and tool not in names:
            (folder / tool).symlink_to(real)
    for name, body in names.items():
        (folder / name).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (folder / name).chmod(0o755)
    return folder


def run(folder: Path, **env) -> subprocess.CompletedProcess:
    clean = {"PATH": str(folder), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run([shutil.which("bash"), str(SCRIPT)], env=clean, capture_output=True, text=True,
                          timeout=60)


def test_a_browser_already_on_path_is_used_and_nothing_installed(tmp_path):
    folder = fake_bin(tmp_path, {"chromium": "exit 0", "chromedriver": "exit 0",
                                 "apt-get": f"echo called > {tmp_path}/apt; exit 1"})
    done = run(folder)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "apt").exists()


def test_paths_from_the_environment_are_used(tmp_path):
    folder = fake_bin(tmp_path, {})
    done = run(folder, COLORKIT_CHROME="/somewhere/chrome", COLORKIT_CHROMEDRIVER="/somewhere/chromedriver")
    assert done.returncode == 0, done.stderr


def test_without_apt_it_names_the_fix_and_exits_2(tmp_path):
    done = run(fake_bin(tmp_path, {}))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "brew install" in done.stderr and "COLORKIT_CHROME" in done.stderr


def test_when_apt_cannot_install_it_names_the_apt_line_and_exits_2(tmp_path):
    """Root or not, with sudo that needs a password or none: apt-get fails here (as offline), the line says
    what to run."""
    for uid in ("0", "1000"):
        folder = fake_bin(tmp_path / uid, {"id": f"echo {uid}", "apt-get": "exit 100", "sudo": "exit 1"})
        done = run(folder)
        assert done.returncode == 2
        assert APT_LINE in done.stderr.splitlines()[-1]


def test_not_root_with_passwordless_sudo_apt_runs_through_it(tmp_path):
    log = tmp_path / "calls"
    folder = fake_bin(tmp_path, {"id": "echo 1000", "sudo": f'echo "sudo $*" >> {log}; shift; [ "$1" = true ] && exit 0; "$@"',
                                 "apt-get": f'echo "apt-get $*" >> {log}; exit 0'})
    done = run(folder)
    calls = log.read_text()
    assert "sudo -n apt-get update" in calls and "sudo -n apt-get install -y --no-install-recommends chromium" in calls
    assert done.returncode == 2 and "no chromium/chromedriver is on PATH" in done.stderr  # the fake installs nothing
