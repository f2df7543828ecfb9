"""The conda environment and pyproject name the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TOOLS_ONLY = {"python", "pip"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("test", "notebooks", "dev"):
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed |= {_name(r) for r in dep["pip"] if not r.startswith("-e")}
        else:
            listed.add(_name(dep))
    assert listed - TOOLS_ONLY == wanted


def test_makefile_offers_the_readme_commands():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("env", "test", "reproduce", "data", "lint", "clean", "help"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    readme = (ROOT / "README.md").read_text()
    assert "make reproduce" in readme and "make test" in readme
