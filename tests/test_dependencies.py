"""Dependencies: the locks follow pyproject.toml, and updates are proposed weekly, grouped."""

import re
import tomllib

import yaml
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = settings.BASE_DIR
PYPROJECT = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)", re.MULTILINE)


def _pins(lock_file: str) -> dict[str, str]:
    text = (BASE_DIR / lock_file).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def _unmet(requirements: list[str], pins: dict[str, str]) -> list[str]:
    unmet = []
    for line in requirements:
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            unmet.append(f"{line} (locked: {pinned})")
    return unmet


def test_the_locks_pin_releases_that_pyproject_allows():
    # A raised floor (a security release, or a Dependabot pull request) without `make lock`
    # fails here: the locks are what gets installed.
    runtime = PYPROJECT["project"]["dependencies"]
    dev = PYPROJECT["dependency-groups"]["dev"]

    assert not _unmet(runtime, _pins("requirements.lock"))
    assert not _unmet(runtime + dev, _pins("requirements-dev.lock"))


def test_an_unmet_floor_is_caught():
    # The check above can fail.
    assert _unmet(["Django>=99.0"], {"django": "5.2.20"}) == ["Django>=99.0 (locked: 5.2.20)"]
    assert _unmet(["pip-audit>=2.7"], {}) == ["pip-audit>=2.7 (locked: None)"]


def test_the_locks_name_no_package_index():
    for lock_file in ("requirements.lock", "requirements-dev.lock"):
        text = (BASE_DIR / lock_file).read_text()

        assert "://" not in text, lock_file
        assert not re.search(r"^\s*--(extra-)?index-url|^\s*--find-links", text, re.M), lock_file


def test_dependabot_proposes_python_updates_weekly_in_groups():
    config = yaml.safe_load((BASE_DIR / ".github" / "dependabot.yml").read_text())
    [pip] = [update for update in config["updates"] if update["package-ecosystem"] == "pip"]

    assert config["version"] == 2
    assert pip["directory"] == "/"
    assert pip["schedule"]["interval"] == "weekly"
    # Floors move with each release, so the locks test above asks for `make lock`.
    assert pip["versioning-strategy"] == "increase"
    groups = pip["groups"]
    assert groups["patch-and-minor"]["update-types"] == ["patch", "minor"]
    assert groups["patch-and-minor"]["patterns"] == ["*"]
    assert groups["security"]["applies-to"] == "security-updates"


def test_readme_says_how_security_releases_are_taken():
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("## Security releases", 1)[1].split("\n## ", 1)[0]

    assert "make audit" in section
    assert "make lock" in section
    assert "dependabot.yml" in section
