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
    """Every test, with the two cores busy: first the tests that need no site, then the site.

    First half, side by side: nbval (it executes every notebook and compares each output with
    the stored one: text, HTML, SVG figures, glued values; not the PNG frames inside
    interactive figures), the unit tests and doctests, and the build of the site from the
    stored outputs. Only nbval starts Jupyter kernels: two processes starting kernels at the
    same time can pick the same free port, and a kernel then dies before it starts. Second
    half: the browser tests of the site (one process: two Chromiums side by side starve each
    other of the two cores). ``python3 dev.py build`` executes every notebook itself.

    Extra arguments go to pytest; with a path among them, each half is one pytest run.
    """
    setup()
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    (ROOT / "_build").mkdir()
    pytest = [str(PYTHON), "-m", "pytest"]
    split = not any(not a.startswith("-") for a in extra)
    build = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going",
             "--config", str(stored_outputs_config())]
    first = [("the build of the site", build, {}, "build.log")]
    if split:
        first.append(("nbval (every notebook)", pytest + ["-m", "not site", "chapters", "appendices", *extra],
                      {}, "nbval.log"))
        main = ("unit tests and doctests", pytest + ["-m", "not site", "course_lib", "tests", *extra], {})
    else:
        main = ("tests that do not need the site", pytest + ["-m", "not site", *extra], {})
    statuses = side_by_side(main, first)
    if statuses["the build of the site"]:
        sys.exit(statuses["the build of the site"])
    statuses.update(side_by_side(("tests of the built site", pytest + ["-m", "site", *extra], {}), []))
    failed = {what: code for what, code in statuses.items() if code}
    if failed:
        print("\n+ failed: " + ", ".join(f"{what} (exit code {code})" for what, code in failed.items()))
        sys.exit(next(iter(failed.values())))
    print("\n+ every test passed")


def side_by_side(main: tuple, others: list[tuple]) -> dict[str, int]:
    """Run ``others`` in the background (output to _build/*.log) while ``main`` runs in the
    foreground; then show each background log and say how long everything took."""
    started = time.monotonic()
    running = []
    for what, command, env, log_name in others:
        log_path = ROOT / "_build" / log_name
        log = open(log_path, "w")
        print("+", " ".join(command), f"(in the background; its log: {log_path.relative_to(ROOT)})", flush=True)
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env})
        running.append((what, process, log, log_path))
    statuses = {}
    try:
        what, command, env = main
        print("+", " ".join(command), flush=True)
        code = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}).returncode
        statuses[what] = code
        print(f"+ {what}: exit code {code} after {time.monotonic() - started:.0f} s", flush=True)
        for what, process, log, log_path in running:
            code = process.wait()
            log.close()
            statuses[what] = code
            text = log_path.read_text()
            if what == "the build of the site" and not code:
                text = "(no warnings)\n"
            elif len(text) > 6000:
                text = "...\n" + text[-6000:]
            print(f"\n+ {what}: exit code {code} after {time.monotonic() - started:.0f} s; its log:\n{text}",
                  flush=True)
    finally:
        for _, process, _, _ in running:
            if process.poll() is None:
                process.kill()
    return statuses


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
