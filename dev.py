#!/usr/bin/env python3
"""Set up the project and build or test it, with nothing but Python 3.10+.

    python3 dev.py build   # website into _build/html (executes every notebook, warnings are errors)
    python3 dev.py build --stored   # the same from the notebooks' stored outputs (quick, for editing)
    python3 dev.py test    # every test: unit tests, doctests, nbval, the site (from the stored outputs) in a browser
    python3 dev.py lab     # open the notebooks in JupyterLab
    python3 dev.py setup   # only create/update the virtual environment .venv

Each command first makes sure ``.venv`` (inside the clone) exists and holds the
packages of ``requirements-dev.txt`` at the versions of ``constraints.txt``;
this is skipped when nothing changed since the last setup.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".course-setup"
SETUP_INPUTS = ["requirements.txt", "requirements-dev.txt", "constraints.txt", "pyproject.toml"]


def sh(*args, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in SETUP_INPUTS:
        path = ROOT / name
        digest.update(name.encode() + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


def setup() -> None:
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed, this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"Creating the virtual environment {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == fingerprint():
        return
    sh(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    # --no-compile: modules are compiled when first imported, not all of them at install time.
    sh(PYTHON, "-m", "pip", "install", "--quiet", "--no-compile", "-r", "requirements-dev.txt", "-c", "constraints.txt")
    STAMP.write_text(fingerprint())


def stored_outputs_config() -> Path:
    """_config.yml with execution off: the site is built from the outputs stored in the notebooks."""
    text = (ROOT / "_config.yml").read_text()
    if "  execute_notebooks: force\n" not in text:
        sys.exit("_config.yml no longer says `execute_notebooks: force`; update dev.py's --stored")
    path = ROOT / "_build" / "stored_outputs_config.yml"
    path.parent.mkdir(exist_ok=True)
    text = text.replace("  execute_notebooks: force\n", "  execute_notebooks: \"off\"\n")
    # Paths in the configuration are relative to the file's folder: make them absolute.
    text = text.replace("course_site: _ext", f"course_site: {ROOT / '_ext'}")
    path.write_text(text)
    return path


def build(extra: list[str]) -> None:
    setup()
    stored = "--stored" in extra
    extra = [a for a in extra if a != "--stored"]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    if stored:
        extra += ["--config", str(stored_outputs_config())]
    sh(BIN / "jupyter-book", "build", ".", "-W", "-n", "--keep-going", *extra)
    print(f"\nThe website is in {ROOT / '_build' / 'html'}; open index.html in a browser.")


def test(extra: list[str]) -> None:
    """Build the site while the tests that do not need it run; then test the built site.

    The site is built from the outputs stored in the notebooks, and nbval, in the first half,
    executes every notebook and compares each output with the stored one (text, HTML, glued
    values; not the pixels of images). So every notebook is executed once, by one process:
    two processes starting Jupyter kernels at the same time can pick the same free port, and
    a kernel then dies before it starts. The build's log is shown when it is done.
    ``python3 dev.py build`` executes every notebook itself.
    """
    setup()
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    (ROOT / "_build").mkdir()
    log_path = ROOT / "_build" / "build.log"
    started = time.monotonic()
    with open(log_path, "w") as log:
        command = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going",
                   "--config", str(stored_outputs_config())]
        print("+", " ".join(command), f"(in the background; its log: {log_path.relative_to(ROOT)})", flush=True)
        building = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            timed("tests that do not need the site", PYTHON, "-m", "pytest", "-m", "not site", *extra, check=False)
            unit_status = _last_status
            build_status = building.wait()
        finally:
            if building.poll() is None:
                building.kill()
    print(f"\n+ the build finished with exit code {build_status} after {time.monotonic() - started:.0f} s; its log:")
    print(log_path.read_text()[-4000:] if build_status else "(no warnings)", flush=True)
    if build_status:
        sys.exit(build_status)
    timed("tests of the built site", PYTHON, "-m", "pytest", "-m", "site", *extra, check=False)
    if unit_status or _last_status:
        sys.exit(unit_status or _last_status)


_last_status = 0


def timed(what: str, *args, check: bool = True) -> None:
    """Run a command, then say how long it took; remember its exit status."""
    global _last_status
    print("+", " ".join(str(a) for a in args), flush=True)
    started = time.monotonic()
    _last_status = subprocess.run([str(a) for a in args], cwd=ROOT).returncode
    print(f"+ {what}: exit code {_last_status} after {time.monotonic() - started:.0f} s", flush=True)
    if check and _last_status:
        sys.exit(_last_status)


def lab(extra: list[str]) -> None:
    setup()
    if subprocess.run([str(PYTHON), "-c", "import jupyterlab"], capture_output=True).returncode != 0:
        sh(PYTHON, "-m", "pip", "install", "--quiet", "jupyterlab", "-c", "constraints.txt")
    sh(BIN / "jupyter", "lab", "chapters", *extra)


COMMANDS = {"setup": lambda extra: setup(), "build": build, "test": test, "lab": lab}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    try:
        COMMANDS[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as err:
        sys.exit(err.returncode)
