"""The ``snowbot`` command: rotate-keys against a real Redis, the grammar, the demo as typed."""

from __future__ import annotations

import gc
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from pydantic import AliasChoices, SecretStr
from redis.asyncio import Redis

from bot.cli import build_parser, freeze_startup_heap, rotate_keys
from bot.models import SlackUser
from bot.servicenow.models import ServiceNowUser, TokenSet
from bot.settings import Settings
from bot.store.crypto import RecordCipher
from bot.store.instance_config import InstanceConfig, InstanceConfigStore
from bot.store.keys import Keys
from bot.store.vault import RedisTokenVault, TokenRecord
from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = "https://dev12345.service-now.com"
TEAM = "T0CLI"


def _settings(prefix: str, *keys: str) -> Settings:
    return Settings.for_tests(redis_url=REDIS_URL, redis_key_prefix=prefix,
                              encryption_keys=",".join(keys))


def _stores(redis: Redis, settings: Settings) -> tuple[RedisTokenVault, InstanceConfigStore]:
    keys = Keys(prefix=settings.redis_key_prefix)
    cipher = RecordCipher.from_settings(settings)
    return (RedisTokenVault(redis, keys=keys, cipher=cipher),
            InstanceConfigStore(redis, keys=keys, cipher=cipher))


def _user(number: int) -> SlackUser:
    return SlackUser(team_id=TEAM, user_id=f"U{number:05d}")


def _record(number: int) -> TokenRecord:
    return TokenRecord.linked(
        tokens=TokenSet(access_token=f"access-{number}", refresh_token=f"refresh-{number}",
                        expires_at=2_000_000_000.0),
        servicenow_user=ServiceNowUser(sys_id=f"{number:032x}", user_name=f"user{number}"),
        instance_url=INSTANCE,
        linked_at=1_700_000_000.0,
    )


async def _fill(redis: Redis, settings: Settings, count: int) -> None:
    vault, instances = _stores(redis, settings)
    for number in range(count):
        await vault.put(_user(number), _record(number), expected_version=None)
    await instances.replace(
        InstanceConfig(instance_url=INSTANCE, client_id="cli-client",
                       client_secret=SecretStr("cli-client-secret")),
        enterprise_id=None, team_id=TEAM,
    )


async def test_rotation_leaves_every_record_readable_with_the_new_key_alone(
    redis: Redis, redis_prefix: str
) -> None:
    """100 records sealed with the old key still open after rotate-keys and its removal."""
    old, new = Settings.generate_key(), Settings.generate_key()
    await _fill(redis, _settings(redis_prefix, old), 100)
    out = io.StringIO()

    status = await rotate_keys(_settings(redis_prefix, new, old), out=out)

    assert status == 0, out.getvalue()
    assert "token records: 100 rotated" in out.getvalue()
    assert "instance records: 1 rotated" in out.getvalue()
    assert "left: 0" in out.getvalue()
    vault, instances = _stores(redis, _settings(redis_prefix, new))
    for number in range(100):
        record = await vault.get(_user(number))
        assert record is not None
        assert record.access_token == f"access-{number}"
    config = await instances.stored(None, TEAM)
    assert config is not None
    assert config.client_secret.get_secret_value() == "cli-client-secret"


async def test_a_second_rotation_finds_everything_current(
    redis: Redis, redis_prefix: str
) -> None:
    """Running rotate-keys again rotates nothing and reports every record already current."""
    old, new = Settings.generate_key(), Settings.generate_key()
    await _fill(redis, _settings(redis_prefix, old), 3)
    await rotate_keys(_settings(redis_prefix, new, old), out=io.StringIO())
    out = io.StringIO()

    status = await rotate_keys(_settings(redis_prefix, new, old), out=out)

    assert status == 0
    assert "token records: 0 rotated, 3 already current" in out.getvalue()


async def test_records_no_key_opens_are_reported_as_left(
    redis: Redis, redis_prefix: str
) -> None:
    """A record sealed with a key that is no longer configured is left, and the exit is 1."""
    lost, new = Settings.generate_key(), Settings.generate_key()
    await _fill(redis, _settings(redis_prefix, lost), 2)
    out = io.StringIO()

    status = await rotate_keys(_settings(redis_prefix, new), out=out)

    assert status == 1
    assert "left: 3" in out.getvalue()
    assert lost not in out.getvalue()


def test_demo_takes_a_seeded_user() -> None:
    """`snowbot demo --as beth.anglin` parses into the demo command for that user."""
    args = build_parser().parse_args(["demo", "--as", "beth.anglin"])
    assert (args.command, args.user) == ("demo", "beth.anglin")


def test_demo_runs_the_quick_start_script_as_typed() -> None:
    """The README's piped demo prints the connection, the list and the new incident's number."""
    script = "/snow connect\n/snow mine\nmy mouse is broken, open a ticket\n[Create]\n"
    env = {**os.environ, "REDIS_URL": REDIS_URL, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo"], input=script, capture_output=True, text=True,
        env=env, cwd=ROOT, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "You're connected to ServiceNow as" in done.stdout
    assert "INC0010001" in done.stdout
    assert "I've opened *INC0010016*" in done.stdout
    assert "Traceback" not in done.stderr


def _readme_settings_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`",
                                                        row.split("|")[1])}


def test_readme_configuration_table_names_every_setting() -> None:
    """The README's configuration table names exactly the environment names Settings reads."""
    names = {
        next(c for c in field.validation_alias.choices if isinstance(c, str) and c.isupper())
        for field in Settings.model_fields.values()
        if isinstance(field.validation_alias, AliasChoices)
    }
    assert _readme_settings_names() == names


def test_startup_heap_is_left_out_of_later_collections() -> None:
    """What startup built is frozen, so a full collection no longer walks it."""
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
