"""The lock files agree with pyproject.toml, and everything installs from them.

``tools.lockfile.problems`` is pure: these tests feed it this checkout's files, and
copies with one thing changed, so a dependency added to pyproject.toml without
``scripts/lock`` fails here before it reaches an install.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from tests.deploy.test_deploy_files import _instruction_args
from tools.audit import findings, unaudited
from tools.lockfile import (
    DEV_LOCK,
    PYPROJECT,
    ROOT,
    RUNTIME_LOCK,
    check_repository,
    problems,
    read_lock,
)

SCRIPTS = ROOT / "scripts"


def _texts() -> tuple[str, str, str]:
    return (
        PYPROJECT.read_text(encoding="utf-8"),
        RUNTIME_LOCK.read_text(encoding="utf-8"),
        DEV_LOCK.read_text(encoding="utf-8"),
    )


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_locks_agree_with_pyproject() -> None:
    """This checkout's pyproject.toml and both locks have nothing to report."""
    assert check_repository() == []


def test_unlocked_runtime_dependency_is_reported() -> None:
    """A runtime dependency added to pyproject.toml but not locked is named."""
    pyproject, runtime, dev = _texts()
    changed = pyproject.replace('dependencies = [\n', 'dependencies = [\n  "leftpad>=1",\n', 1)
    found = problems(changed, runtime, dev)
    assert "leftpad>=1 is in pyproject.toml but not in requirements/runtime.txt" in found


def test_unlocked_dev_dependency_is_reported() -> None:
    """A dev tool added to the dev extra but not locked is named against the dev lock."""
    pyproject, runtime, dev = _texts()
    changed = pyproject.replace('dev = [\n', 'dev = [\n  "pytest-leftpad>=1",\n', 1)
    found = problems(changed, runtime, dev)
    assert found == ["pytest-leftpad>=1 is in pyproject.toml but not in requirements/dev.txt"]


def test_pin_outside_the_declared_range_is_reported() -> None:
    """A range raised past the locked release is reported with the pin and the range."""
    pyproject, runtime, dev = _texts()
    changed = re.sub(r'"redis>=[^"]*"', '"redis>=99"', pyproject)
    found = problems(changed, runtime, dev)
    assert any("pins redis==" in line and "redis>=99" in line for line in found)


def test_runtime_and_dev_locks_pin_the_same_release() -> None:
    """A package pinned at another release in the dev lock than in the runtime one is named."""
    pyproject, runtime, dev = _texts()
    version = next(p.version for p in read_lock(dev) if p.name == "redis")
    changed = dev.replace(f"redis=={version}", "redis==0.0.1")
    found = problems(pyproject, runtime, changed)
    assert f"redis is {version} in requirements/runtime.txt but 0.0.1 in requirements/dev.txt" in (
        found
    )


def test_pin_without_hashes_is_reported() -> None:
    """A pin with no --hash line is reported, since pip --require-hashes would refuse it."""
    pyproject, runtime, dev = _texts()
    changed = runtime + "\nleftpad==1.0\n"
    assert "leftpad==1.0 has no --hash in the lock" in problems(pyproject, changed, dev)


def test_every_pin_carries_a_hash() -> None:
    """Every pin of both locks has at least one sha256 hash."""
    pins = read_lock(_read(RUNTIME_LOCK)) + read_lock(_read(DEV_LOCK))
    assert pins
    assert all(p.hashes and all(h.startswith("sha256:") for h in p.hashes) for p in pins)


def test_the_running_environment_is_the_dev_lock() -> None:
    """Every dev-lock pin that applies to this interpreter is the version installed here."""
    differing = [
        (pin.name, str(pin.version), metadata.version(pin.name))
        for pin in read_lock(_read(DEV_LOCK))
        if pin.marker is None or pin.marker.evaluate()
        if metadata.version(pin.name) != str(pin.version)
    ]
    assert differing == []


def test_dockerfile_installs_the_runtime_lock_with_hashes() -> None:
    """The image installs the runtime lock with --require-hashes and snowbot with --no-deps."""
    runs = " ".join(_instruction_args("RUN"))
    installs = [part for part in runs.split("&&") if "pip install" in part]
    assert any(
        "--require-hashes" in part and "-r requirements/runtime.txt" in part for part in installs
    )
    assert all("--require-hashes" in part or "--no-deps" in part for part in installs)
    assert any("requirements/runtime.txt" in args for args in _instruction_args("COPY"))


def test_dockerfile_build_context_admits_the_lock() -> None:
    """The Dockerfile's allow-list lets requirements/runtime.txt into the build context."""
    ignore = _read(ROOT / "deploy" / "Dockerfile.dockerignore").splitlines()
    assert "!requirements/runtime.txt" in ignore


def test_install_script_takes_only_hashed_pins() -> None:
    """scripts/install takes the lock with hashes, then snowbot and the sandbox with --no-deps."""
    script = _read(SCRIPTS / "install")
    assert 'install --require-hashes --no-deps -r "$lock"' in script
    assert "install --no-deps --no-build-isolation --editable . --editable ./sandbox" in script


def test_test_script_and_demo_script_install_their_locks() -> None:
    """scripts/test installs the dev lock and scripts/demo the runtime lock."""
    assert 'scripts/install "$venv" requirements/dev.txt' in _read(SCRIPTS / "test")
    assert 'scripts/install "$venv" requirements/runtime.txt' in _read(SCRIPTS / "demo")
    assert "bash scripts/test" in _read(ROOT / ".ci" / "run")


def test_quick_start_is_the_two_lock_installing_scripts() -> None:
    """The README's quick start is exactly scripts/demo and scripts/test."""
    readme = _read(ROOT / "README.md")
    block = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.split("\n")[:-1] == ["scripts/demo", "scripts/test"]


def test_audit_names_the_package_and_the_advisory() -> None:
    """A reported vulnerability becomes a line naming the package, version and advisory."""
    report = {
        "dependencies": [
            {"name": "redis", "version": "8.2.0", "vulns": []},
            {
                "name": "starlette",
                "version": "0.1.0",
                "vulns": [
                    {
                        "id": "PYSEC-2024-1",
                        "aliases": ["CVE-2024-47874"],
                        "fix_versions": ["0.40.0"],
                    }
                ],
            },
        ]
    }
    assert findings(report) == [
        "starlette 0.1.0: PYSEC-2024-1 (also CVE-2024-47874); fixed in 0.40.0"
    ]


def test_audit_lists_what_the_service_could_not_answer() -> None:
    """Packages pip-audit skipped are listed with its reason, not counted as clean."""
    report = {"dependencies": [{"name": "leftpad", "skip_reason": "not found on PyPI"}]}
    assert unaudited(report) == ["leftpad: not found on PyPI"]
    assert findings(report) == []
