"""The page benchmark's baseline: django-machina's topic page, in django-machina's own virtualenv.

Hearth's interpreter imports this module, so it uses the standard library only. The driver
(driver.py) runs in bench/pages/machina/.venv, which ``ensure_venv()`` creates from
requirements.txt; ``measure()`` runs the driver there and returns its JSON.

    from bench.pages.machina import ensure_venv, measure
    ensure_venv()
    result = measure(["--requests", "50"])
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
REQUIREMENTS = HERE / "requirements.txt"
DRIVER = HERE / "driver.py"
STAMP = VENV / "bench-requirements.sha256"  # the hash of requirements.txt it was built from

__all__ = ["ensure_venv", "measure", "venv_python"]


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _stderr_fd() -> Any:
    """Child output goes to our stderr, so stdout stays free for the callers' JSON."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return subprocess.DEVNULL


def venv_python() -> Path:
    if sys.platform == "win32":  # pragma: no cover
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _requirements_hash() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_venv() -> Path:
    """Return the python of django-machina's virtualenv, (re)building it when it is missing or
    was built from another requirements.txt (then from scratch, so nothing stale remains)."""
    python = venv_python()
    wanted = _requirements_hash()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    _log(f"Building django-machina's virtualenv in {VENV} ...")
    if VENV.exists():
        shutil.rmtree(VENV)
    out = _stderr_fd()
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, stdout=out)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
        stdout=out,
    )
    STAMP.write_text(wanted + "\n")
    return python


def measure(args: list[str]) -> dict[str, Any]:
    """Run the driver in machina's virtualenv with ``args`` (--requests N, --warmup N) and
    return the JSON object it prints. Its progress goes to our stderr."""
    python = ensure_venv()
    done = subprocess.run(
        [str(python), str(DRIVER), *args],
        cwd=str(HERE),
        stdout=subprocess.PIPE,
        stderr=_stderr_fd(),
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"django-machina's driver failed with exit code {done.returncode}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError("django-machina's driver printed nothing on stdout")
    result = json.loads(lines[-1])
    if result.get("peer") != "django-machina":
        raise RuntimeError(f"unexpected driver output: {lines[-1][:200]}")
    return result
