"""Style: ruff (lint) and codespell (spelling) over the repository, with the settings it keeps.

Both are pinned in constraints.txt and installed by ``python3 dev.py setup``; the settings are in
ruff.toml (chapters/ruff.toml and appendices/ruff.toml for the notebooks) and .codespellrc. The same
commands run as pre-commit hooks (.pre-commit-config.yaml). Fix what they report, or, for a word
of the course that codespell does not know, add it to .codespell-words.txt.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if not path.is_file():
        pytest.fail(f"{name} is not installed next to {sys.executable}: run `python3 dev.py setup` "
                    f"(it installs the pinned version of constraints.txt)")
    return str(path)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = run(tool("ruff"), "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, f"ruff check . reports:\n{result.stdout}{result.stderr}"


def test_codespell_finds_nothing():
    result = run(tool("codespell"))
    assert result.returncode == 0, f"codespell reports (fix, or add a course word to .codespell-words.txt):\n" \
                                   f"{result.stdout}{result.stderr}"


def test_the_checks_can_fail():
    """The settings apply to what the checks read, and a finding fails them."""
    code = "import os\nimport numpy as np\nx = np.zeros(3); y = 1\n"
    result = run(tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                 "--stdin-filename", "course_lib/example.py", "-", stdin=code)
    assert result.returncode == 1 and "F401" in result.stdout and "E702" in result.stdout, result.stdout
    typos = ["recie" + "ved", "t" + "eh"]                   # split, so that codespell passes this file
    result = run(tool("codespell"), "-", stdin=f"The gradient is {typos[0]} by {typos[1]} optimizer; dout is fine.\n")
    assert result.returncode != 0 and all(t in result.stdout for t in typos) and "dout ==>" not in result.stdout, \
        result.stdout


def _notebook(line: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "id": "a1", "metadata": {},
                                  "outputs": [], "source": [line]}],
                       "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5})


def test_notebooks_have_their_own_line_length():
    """Notebook code is shown in a narrow column: 75 characters (chapters/ruff.toml, appendices/ruff.toml)."""
    line = "x = " + " + ".join(["1"] * 22)                    # 89 characters: fine in .py, not in a notebook
    assert run(tool("ruff"), "check", "--no-cache", "--stdin-filename", "course_lib/example.py", "-",
               stdin=line + "\n").returncode == 0
    for folder in ("chapters/00_welcome", "appendices"):
        result = run(tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                     "--stdin-filename", f"{folder}/example.ipynb", "-", stdin=_notebook(line))
        assert result.returncode == 1 and "E501 Line too long (89 > 75)" in result.stdout, (folder, result.stdout)
        ok = run(tool("ruff"), "check", "--no-cache", "--stdin-filename", f"{folder}/example.ipynb", "-",
                 stdin=_notebook("import course_lib"))                 # the first cell's check is allowed
        assert ok.returncode == 0, (folder, ok.stdout)


def test_the_pre_commit_hooks_run_the_same_commands():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])          # offline: nothing to fetch
    assert hooks["ruff"]["language"] == hooks["codespell"]["language"] == "system"
    assert hooks["ruff"]["entry"].split()[:2] == [".venv/bin/ruff", "check"]
    assert hooks["codespell"]["entry"].split() == [".venv/bin/codespell"]
    assert "jupyter" in hooks["ruff"]["types_or"]


DOCTEST_WIDTH = 70        # the API reference shows an Examples block in a 70-column box at 1280 px


def doctest_lines_too_wide(source: str, width: int = DOCTEST_WIDTH) -> list[tuple[str, int, str]]:
    """(object, line, text) of every doctest line (prompt, continuation, expected output) over ``width``."""
    import ast
    import doctest
    import textwrap

    found = []
    parser = doctest.DocTestParser()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        doc = ast.get_docstring(node, clean=False)
        if not doc:
            continue
        name = getattr(node, "name", "<module>")
        for example in parser.get_examples(textwrap.dedent(doc) if "\n" in doc else doc):
            shown = [">>> " + example.source.splitlines()[0]]
            shown += ["... " + line for line in example.source.splitlines()[1:]]
            shown += example.want.splitlines()
            found += [(name, example.lineno + 1, text) for text in shown if len(text) > width]
    return found


def test_doctest_lines_fit_the_reference_pages():
    wide = []
    for path in sorted((ROOT / "course_lib").rglob("*.py")):
        for name, line, text in doctest_lines_too_wide(path.read_text(encoding="utf-8")):
            wide.append(f"{path.relative_to(ROOT)}: {name}, example line {line} ({len(text)} > "
                        f"{DOCTEST_WIDTH}): {text}")
    assert not wide, "doctest lines too wide for the API reference:\n" + "\n".join(wide)


def test_the_doctest_width_check_can_fail():
    """A long prompt line and a long expected output are both found; 70 characters are allowed."""
    doc = ('def f():\n    """Doc.\n\n    >>> print("' + "x" * 59 + '")\n    ' + "x" * 71
           + '\n    >>> 1\n    ' + "1" * 70 + '\n    """\n')
    found = doctest_lines_too_wide(doc)
    assert [(name, len(text)) for name, _, text in found] == [("f", 72), ("f", 71)], found
