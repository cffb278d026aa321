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
    """Every test, with both cores busy.

    In the background: nbval, which executes every notebook and compares each output with the
    stored one (text, HTML, SVG figures, glued values; not the PNG frames inside interactive
    figures), and the build of the site from those stored outputs. In the foreground: the
    unit tests and doctests, then, once the build is done, the browser tests of the site
    while nbval finishes. Only nbval starts Jupyter kernels: two processes starting kernels
    at the same time can pick the same free port, and a kernel then dies before it starts.
    ``python3 dev.py build`` executes every notebook itself.

    Extra arguments go to pytest; with a path among them, nbval is not run apart.
    """
    setup()
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    (ROOT / "_build").mkdir()
    pytest = [str(PYTHON), "-m", "pytest"]
    started = time.monotonic()
    statuses: dict[str, int] = {}

    def say(what: str, code: int, log: Path | None = None) -> None:
        statuses[what] = code
        text = ""
        if log is not None:
            text = log.read_text()
            text = "(no warnings)" if what == "the build" and not code else text[-6000:]
            text = f"; its log ({log.relative_to(ROOT)}):\n{text}"
        print(f"\n+ {what}: exit code {code} after {time.monotonic() - started:.0f} s{text}", flush=True)

    background = []
    try:
        build = spawn([BIN / "jupyter-book", "build", ".", "-W", "-n", "--keep-going",
                       "--config", stored_outputs_config()], "build.log")
        background.append(build)
        chosen = any(not a.startswith("-") for a in extra)   # the caller chose what to run
        if chosen:
            say("tests that do not need the site", foreground(pytest + ["-m", "not site", *extra], chosen))
        else:
            nbval = spawn(pytest + ["-m", "not site", "chapters", "appendices", *extra], "nbval.log")
            background.append(nbval)
            say("unit tests and doctests", foreground(pytest + ["-m", "not site", "course_lib", "tests", *extra]))
        say("the build", build[0].wait(), build[1])
        if statuses["the build"]:
            sys.exit(statuses["the build"])
        say("tests of the built site", foreground(pytest + ["-m", "site", *extra], chosen))
        if len(background) > 1:
            say("nbval (every notebook)", nbval[0].wait(), nbval[1])
    finally:
        for process, _ in background:
            if process.poll() is None:
                process.kill()
    failed = [f"{what} (exit code {code})" for what, code in statuses.items() if code]
    if failed:
        print("\n+ failed: " + ", ".join(failed), flush=True)
        sys.exit(1)
    print(f"\n+ every test passed, in {time.monotonic() - started:.0f} s", flush=True)


def spawn(command: list, log_name: str) -> tuple[subprocess.Popen, Path]:
    """Start ``command`` in the background, its output going to _build/``log_name``."""
    log = ROOT / "_build" / log_name
    print("+", " ".join(str(a) for a in command), f"(in the background; its log: {log.relative_to(ROOT)})",
          flush=True)
    with open(log, "w") as out:
        return subprocess.Popen([str(a) for a in command], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT), log


def foreground(command: list, chosen: bool = False) -> int:
    """Run ``command``; pytest's "no tests collected" (5) is a success when the caller chose the tests."""
    print("+", " ".join(str(a) for a in command), flush=True)
    code = subprocess.run([str(a) for a in command], cwd=ROOT).returncode
    return 0 if chosen and code == 5 else code


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
