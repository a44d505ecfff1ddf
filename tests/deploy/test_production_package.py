"""The production wheel and image carry no sandbox, no fake OAuth server, no sandbox secret.

The sandbox (local ServiceNow, Slack stand-in, harness, ``snowbot demo``) is its own
distribution under ``sandbox/``; ``bot/`` reaches it only from the ``snowbot demo``
entry point, lazily, and says how to install it when it is absent.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from bot.cli import SANDBOX_MISSING
from snowbot_sandbox import harness
from tests.deploy.test_deploy_files import _instruction_args
from tools.lockfile import ROOT, sandbox_problems

SANDBOX_PACKAGE = "snowbot_sandbox"
# What the image is built from (deploy/Dockerfile's COPY lines): nothing else.
IMAGE_SOURCES = {"requirements/runtime.txt", "pyproject.toml", "README.md", "bot", "intents"}


def _production_sources() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "intents").rglob("*.py"))


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def test_wheel_holds_only_bot_and_intents(tmp_path: Path) -> None:
    """The wheel built from the checkout (sandbox beside it) has bot and intents, no sandbox."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("bot", "intents", "sandbox"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(  # noqa: S603 - this interpreter, arguments built here
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "out"), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "out").glob("snowbot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"bot", "intents", "snowbot-0.1.0.dist-info"}
    assert "bot/cli.py" in names
    assert not [name for name in names if "sandbox" in name or "/demo/" in name]


def test_image_copies_only_what_the_wheel_is_built_from() -> None:
    """deploy/Dockerfile's COPY lines take the lock, pyproject, README, bot and intents only."""
    copied: set[str] = set()
    for args in _instruction_args("COPY"):
        if args.startswith("--from="):
            continue
        *sources, _destination = args.split()
        copied.update(sources)
    assert copied == IMAGE_SOURCES


def test_build_context_does_not_admit_the_sandbox() -> None:
    """The image's build context allow-list names no sandbox path."""
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    admitted = [line for line in ignore.splitlines() if line.startswith("!")]
    assert admitted
    assert not [line for line in admitted if "sandbox" in line]


def test_bot_never_imports_the_sandbox_at_module_level() -> None:
    """No module of bot/ or intents/ imports the sandbox when it is imported."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _production_sources()
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        for module in _imported_modules(node)
        if module.split(".")[0] == SANDBOX_PACKAGE
    ]
    assert found == []


def test_only_the_demo_command_reaches_the_sandbox() -> None:
    """The one import of the sandbox in bot/ and intents/ is in bot/cli.py."""
    found = {
        str(path.relative_to(ROOT))
        for path in _production_sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for module in _imported_modules(node)
        if module.split(".")[0] == SANDBOX_PACKAGE
    }
    assert found == {"bot/cli.py"}


def test_production_sources_hold_no_sandbox_secret() -> None:
    """The sandbox's client secret, signing secret and bot token appear nowhere in bot/."""
    secrets = (harness.CLIENT_SECRET, harness.SIGNING_SECRET, harness.BOT_TOKEN)
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*")
        if path.is_file() and path.suffix != ".pyc"
        for secret in secrets
        if secret in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert found == []


def test_sandbox_dependencies_are_in_the_runtime_lock() -> None:
    """Everything the sandbox declares (installed with --no-deps) is pinned by the runtime lock."""
    sandbox = (ROOT / "sandbox" / "pyproject.toml").read_text(encoding="utf-8")
    runtime = (ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    assert sandbox_problems(sandbox, runtime) == []
    unlocked = sandbox.replace("dependencies = [\n", 'dependencies = [\n  "leftpad>=1",\n', 1)
    assert sandbox_problems(unlocked, runtime) == [
        "leftpad>=1 is in sandbox/pyproject.toml but not in requirements/runtime.txt"
    ]


def test_demo_without_the_sandbox_says_how_to_install_it() -> None:
    """`snowbot demo` where only the production package is installed prints one line, exit 2."""
    # -S: no site initialisation, so no editable install is on the path: bot/ and
    # intents/ from the checkout and the installed dependencies, as in the image.
    path = os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]])
    result = subprocess.run(
        [sys.executable, "-S", "-c", "import sys; from bot.cli import main; "
         "sys.exit(main(['demo']))"],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT / "deploy",
    )
    assert result.returncode == 2
    assert result.stderr == SANDBOX_MISSING + "\n"
