"""The book's configuration agrees with itself: table of contents, launch links, Binder's requirements."""

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
def test_first_cell_installs_course_lib_in_colab_from_the_configured_repository(notebook):
    first = nbformat.read(notebook, as_version=4).cells[0]
    assert first.cell_type == "code"
    assert '"google.colab" in sys.modules' in first.source
    assert f'git+{CONFIG["repository"]["url"]}"' in first.source
    assert "remove-cell" in first.metadata.get("tags", [])   # the website does not need it


def test_binder_installs_course_lib():
    requirements = (ROOT / "requirements.txt").read_text().split()
    assert "-e" in requirements and "." in requirements
    launch = CONFIG["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org" and launch["colab_url"]
