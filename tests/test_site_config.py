"""The book's configuration agrees with itself: table of contents, launch links, Binder's requirements."""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOTEBOOKS = sorted((ROOT / "chapters").rglob("*.ipynb"))


def toc_files():
    files = [TOC["root"]]
    for entry in TOC.get("chapters", []):
        files.append(entry["file"])
        files.extend(section["file"] for section in entry.get("sections", []))
    return files


def test_every_notebook_is_in_the_table_of_contents_and_every_entry_exists():
    listed = set(toc_files())
    assert {nb.relative_to(ROOT).with_suffix("").as_posix() for nb in NOTEBOOKS} <= listed
    for entry in listed:
        assert any((ROOT / f"{entry}{ext}").is_file() for ext in (".ipynb", ".md", ".rst")), entry


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_course_lib_wherever_it_is_missing(notebook, monkeypatch):
    """Run the first cell as IPython would, once with course_lib importable and once without."""
    from IPython.core.inputtransformer2 import TransformerManager

    first = nbformat.read(notebook, as_version=4).cells[0]
    assert first.cell_type == "code" and "remove-cell" in first.metadata.get("tags", [])   # not on the site
    code = TransformerManager().transform_cell(first.source)
    calls = []

    class Shell:
        def run_line_magic(self, name, line):
            calls.append((name, line))

    exec(code, {"get_ipython": Shell})                     # course_lib importable: nothing to do
    assert calls == []
    monkeypatch.setitem(__import__("sys").modules, "course_lib", None)   # now `import course_lib` fails
    exec(code, {"get_ipython": Shell})
    assert calls == [("pip", f'install --quiet "course_lib @ git+{CONFIG["repository"]["url"]}"')]


def test_binder_installs_course_lib():
    requirements = (ROOT / "requirements.txt").read_text().split()
    assert "-e" in requirements and "." in requirements
    launch = CONFIG["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org" and launch["colab_url"]


def test_one_version_and_one_list_of_test_tools():
    import tomllib

    import course_lib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "course_lib.__version__"}
    assert course_lib.__version__
    dev = [line.strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    assert "-e .[test]" in dev
    tools = {req.split(">")[0].split("=")[0] for req in project["project"]["optional-dependencies"]["test"]}
    assert not tools & {line.split(">")[0].split("=")[0] for line in dev}   # not listed twice


def test_every_public_module_of_course_lib_is_documented():
    # each module's docstrings reach the site through an automodule on the Reference or Chapter tools page
    pages = "".join(p.read_text() for p in sorted((ROOT / "appendices").glob("*.rst")))
    documented = set(re.findall(r"^\.\. automodule:: course_lib\.(\w+)", pages, flags=re.M))
    modules = {p.stem for p in (ROOT / "course_lib").glob("*.py") if not p.stem.startswith("_")}
    modules |= {p.name for p in (ROOT / "course_lib").iterdir() if (p / "__init__.py").is_file()}
    modules.discard("static")
    assert modules - documented == set(), "add these modules to appendices/reference.rst or a chapter_tools*.rst page"
