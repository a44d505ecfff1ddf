"""What the lock files pin, and whether they still agree with ``pyproject.toml``.

``scripts/lock`` writes ``requirements/runtime.txt`` and ``requirements/dev.txt`` with
``uv pip compile --universal --generate-hashes``: one line ``name==version [; marker]``
per pin (a package may be pinned twice under exclusive markers, one per Python range),
each followed by its ``--hash=sha256:…`` lines. :func:`problems` lists every way the
locks and ``pyproject.toml`` disagree; an empty list means they agree. Only the standard
library and ``packaging`` are used, so the check needs no network and no resolver.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"
PYPROJECT = ROOT / "pyproject.toml"
SANDBOX_PYPROJECT = ROOT / "sandbox" / "pyproject.toml"
REFRESH = "scripts/lock"


@dataclass(frozen=True)
class Pin:
    """One ``name==version`` line of a lock, with its environment marker and hashes."""

    name: str
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...] = field(default=())


def read_lock(text: str) -> list[Pin]:
    """The pins of a lock file's text, in file order."""
    logical = text.replace("\\\n", " ")
    pins: list[Pin] = []
    for raw in logical.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        requirement_text, *hashes = line.split("--hash=")
        requirement = Requirement(requirement_text.strip())
        (spec,) = requirement.specifier
        pins.append(
            Pin(
                name=canonicalize_name(requirement.name),
                version=Version(spec.version),
                marker=requirement.marker,
                hashes=tuple(h.strip() for h in hashes),
            )
        )
    return pins


def declared(pyproject_text: str) -> tuple[list[Requirement], list[Requirement]]:
    """The runtime (with the build backend) and the dev requirements of a pyproject."""
    data = tomllib.loads(pyproject_text)
    runtime = [Requirement(r) for r in data["project"].get("dependencies", [])]
    runtime += [Requirement(r) for r in data.get("build-system", {}).get("requires", [])]
    extras = data["project"].get("optional-dependencies", {})
    dev = [Requirement(r) for r in extras.get("dev", [])]
    return runtime, dev


def problems(pyproject_text: str, runtime_lock: str, dev_lock: str) -> list[str]:
    """Every way the two locks disagree with the pyproject and with each other."""
    runtime, dev = declared(pyproject_text)
    runtime_pins = read_lock(runtime_lock)
    dev_pins = read_lock(dev_lock)
    found: list[str] = []
    found += _unmet(runtime, runtime_pins, "requirements/runtime.txt")
    found += _unmet(runtime + dev, dev_pins, "requirements/dev.txt")
    dev_versions = {(p.name, str(p.marker)): p.version for p in dev_pins}
    for pin in runtime_pins:
        other = dev_versions.get((pin.name, str(pin.marker)))
        if other != pin.version:
            found.append(
                f"{pin.name} is {pin.version} in requirements/runtime.txt but {other} in "
                "requirements/dev.txt"
            )
    found += [
        f"{pin.name}=={pin.version} has no --hash in the lock"
        for pin in runtime_pins + dev_pins
        if not pin.hashes
    ]
    return found


def sandbox_problems(sandbox_pyproject_text: str, runtime_lock: str) -> list[str]:
    """Every dependency of the sandbox distribution (installed with ``--no-deps`` beside
    snowbot) that the runtime lock does not satisfy; snowbot itself is this checkout."""
    wanted = [
        Requirement(r)
        for r in tomllib.loads(sandbox_pyproject_text)["project"].get("dependencies", [])
    ]
    return _unmet(
        [r for r in wanted if canonicalize_name(r.name) != "snowbot"],
        read_lock(runtime_lock),
        "requirements/runtime.txt",
        source="sandbox/pyproject.toml",
    )


def _unmet(
    wanted: list[Requirement],
    pins: list[Pin],
    lock_name: str,
    *,
    source: str = "pyproject.toml",
) -> list[str]:
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    found: list[str] = []
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        locked = by_name.get(name)
        if not locked:
            found.append(f"{requirement} is in {source} but not in {lock_name}")
            continue
        for pin in locked:
            if not requirement.specifier.contains(pin.version, prereleases=True):
                found.append(
                    f"{lock_name} pins {name}=={pin.version}, outside {source}'s "
                    f"{requirement}"
                )
    return found


def check_repository() -> list[str]:
    """The problems of this checkout's own pyprojects (snowbot's and the sandbox's) and locks."""
    runtime_lock = RUNTIME_LOCK.read_text(encoding="utf-8")
    return problems(
        PYPROJECT.read_text(encoding="utf-8"),
        runtime_lock,
        DEV_LOCK.read_text(encoding="utf-8"),
    ) + sandbox_problems(SANDBOX_PYPROJECT.read_text(encoding="utf-8"), runtime_lock)
