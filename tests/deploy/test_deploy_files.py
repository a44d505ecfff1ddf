"""The deployment files agree with the code: names Settings reads, secrets, probes, scopes.

Everything under ``deploy/`` is read as text or parsed with PyYAML; nothing is built or
applied (no Docker or Kubernetes here), so these tests catch drift, not runtime faults.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr

from bot.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
PUBLIC_EVENTS_URL = "https://snowbot.example.com/slack/events"

# Environment names in deploy/ that Settings does not read, each with its reason.
NON_SETTINGS_NAMES: dict[str, str] = {
    "PATH": "the Dockerfile puts the virtualenv first so CMD ['snowbot', 'serve'] resolves",
}
# Not SecretStr in Settings, but deploy treats it as a secret: the URL may carry a password.
SECRET_BY_DEPLOY = {"REDIS_URL"}
OPTIONAL_SECRETS = {"SLACK_APP_TOKEN", "SERVICENOW_CLIENT_SECRET", "SERVICENOW_EVENTS_SECRET"}
PLACEHOLDER = "REPLACE_ME"


# ---- reading the files -----------------------------------------------------------


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _k8s_docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)
    return docs


def _kind(kind: str) -> dict[str, Any]:
    (doc,) = [doc for doc in _k8s_docs() if doc.get("kind") == kind]
    return doc


def _container() -> dict[str, Any]:
    (container,) = _kind("Deployment")["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def _pod_labels() -> dict[str, str]:
    return dict(_kind("Deployment")["spec"]["template"]["metadata"]["labels"])


def _compose() -> dict[str, Any]:
    return dict(_yaml(DEPLOY / "compose.yaml"))


def _compose_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(str(item).partition("=")[::2] for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        pending += line.removesuffix("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            instructions.append((word.upper(), rest.strip()))
            pending = ""
    return instructions


def _instruction_args(word: str) -> list[str]:
    return [rest for name, rest in _dockerfile() if name == word]


# ---- what Settings knows ---------------------------------------------------------


def _env_name(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    assert isinstance(alias, AliasChoices)
    (name,) = [choice for choice in alias.choices if isinstance(choice, str) and choice.isupper()]
    return name


def _settings_names() -> set[str]:
    return {_env_name(field_name) for field_name in Settings.model_fields}


def _holds_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    return any(_holds_secret(arg) for arg in typing.get_args(annotation))


def _secret_settings_names() -> set[str]:
    return {
        _env_name(name)
        for name, field in Settings.model_fields.items()
        if _holds_secret(field.annotation)
    }


# ---- every environment name that appears in deploy/ -----------------------------

_COMMENTED_KEY = re.compile(r"^\s*#\s*([A-Z][A-Z0-9_]*):\s")
_DOTENV_KEY = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=")


def _compose_names() -> set[str]:
    return {
        name for service in _compose()["services"].values()
        for name in _compose_environment(service)
    }


def _k8s_env_names() -> set[str]:
    return set(_env(_container()))


def _configmap_names() -> set[str]:
    text = (K8S / "configmap.yaml").read_text(encoding="utf-8")
    commented = {match.group(1) for match in map(_COMMENTED_KEY.match, text.splitlines()) if match}
    return set(_kind("ConfigMap")["data"]) | commented


def _secret_key_ref_names() -> set[str]:
    return {
        entry["valueFrom"]["secretKeyRef"]["key"]
        for entry in _env(_container()).values()
        if "secretKeyRef" in entry.get("valueFrom", {})
    }


def _example_secret_names() -> set[str]:
    return set(_kind("Secret")["stringData"])


def _dotenv_example_names() -> set[str]:
    lines = (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
    return {match.group(1) for match in map(_DOTENV_KEY.match, lines) if match}


def _dockerfile_env_names() -> set[str]:
    return {
        match.group(1)
        for rest in _instruction_args("ENV")
        for match in re.finditer(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", rest)
    }


NAME_SOURCES: dict[str, typing.Callable[[], set[str]]] = {
    "compose environment": _compose_names,
    "k8s container env": _k8s_env_names,
    "k8s ConfigMap keys (commented ones too)": _configmap_names,
    "k8s secretKeyRef keys": _secret_key_ref_names,
    "k8s example Secret keys": _example_secret_names,
    ".env.example (commented ones too)": _dotenv_example_names,
    "Dockerfile ENV": _dockerfile_env_names,
}


@pytest.mark.parametrize("source", NAME_SOURCES)
def test_environment_names_are_settings_names(source: str) -> None:
    """Every environment name a deploy file sets is one Settings reads, or a listed exception."""
    names = NAME_SOURCES[source]()
    assert names, f"no names found in {source}: the reader is broken"
    assert names - _settings_names() - set(NON_SETTINGS_NAMES) == set()


def test_listed_exceptions_are_used_and_unknown_to_settings() -> None:
    """Each listed non-Settings name appears in deploy/ and is truly not a Settings name."""
    used = set().union(*(read() for read in NAME_SOURCES.values()))
    assert set(NON_SETTINGS_NAMES) <= used
    assert set(NON_SETTINGS_NAMES).isdisjoint(_settings_names())


# ---- secrets ---------------------------------------------------------------------


def test_every_secret_setting_comes_from_a_secret_key_ref() -> None:
    """Each SecretStr setting (and REDIS_URL) reaches the pod only through a secretKeyRef."""
    env = _env(_container())
    for name in _secret_settings_names() | SECRET_BY_DEPLOY:
        assert name in env, f"{name} is not set in deployment.yaml"
        assert "value" not in env[name], f"{name} is a literal"
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "snowbot-secrets"


def test_secret_is_never_in_the_configmap() -> None:
    """No secret name is a ConfigMap key, even as a commented example."""
    assert _configmap_names().isdisjoint(_secret_settings_names() | SECRET_BY_DEPLOY)


def test_only_optional_secrets_are_marked_optional() -> None:
    """The Socket Mode token and the ServiceNow client secret may be absent; the rest may not."""
    refs = {
        name: entry["valueFrom"]["secretKeyRef"]
        for name, entry in _env(_container()).items()
        if "secretKeyRef" in entry.get("valueFrom", {})
    }
    assert {name for name, ref in refs.items() if ref.get("optional")} == OPTIONAL_SECRETS


def test_example_secret_holds_every_referenced_key_as_a_placeholder() -> None:
    """The example Secret has each secretKeyRef key, and each value is a placeholder."""
    secret = _kind("Secret")
    assert secret["metadata"]["name"] == "snowbot-secrets"
    assert set(secret["stringData"]) == _secret_key_ref_names()
    assert all(PLACEHOLDER in str(value) for value in secret["stringData"].values())


def test_compose_takes_secrets_from_the_env_file_only() -> None:
    """Compose sets no secret literally, and the .env example holds placeholders only."""
    bot = _compose()["services"]["bot"]
    assert bot["env_file"] == [".env"]
    assert set(_compose_environment(bot)).isdisjoint(_secret_settings_names())
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        match = _DOTENV_KEY.match(line)
        if match and match.group(1) in _secret_settings_names():
            assert line.partition("=")[2].strip().endswith(PLACEHOLDER), line


def test_image_bakes_in_no_secret() -> None:
    """No ENV or ARG of the Dockerfile names a secret setting."""
    args = " ".join(_instruction_args("ENV") + _instruction_args("ARG"))
    assert not any(name in args for name in _secret_settings_names() | SECRET_BY_DEPLOY)


# ---- Deployment, Service, HPA, PDB, kustomization --------------------------------


def _named_port(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p.get("name") == port]
    return int(number)


def test_deployment_runs_at_least_two_replicas() -> None:
    """The Deployment and the HPA's minimum both keep two or more replicas."""
    assert _kind("Deployment")["spec"]["replicas"] >= 2
    assert _kind("HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2


def test_probes_hit_healthz_and_readyz_on_the_container_port() -> None:
    """Liveness and startup probe /healthz, readiness /readyz, all on the serving port."""
    container = _container()
    serving = _named_port(container, "http")
    probes = {
        kind: container[f"{kind}Probe"]["httpGet"] for kind in ("liveness", "readiness", "startup")
    }
    assert probes["liveness"]["path"] == "/healthz"
    assert probes["startup"]["path"] == "/healthz"
    assert probes["readiness"]["path"] == "/readyz"
    assert {_named_port(container, probe["port"]) for probe in probes.values()} == {serving}


def test_one_port_everywhere() -> None:
    """The serving and metrics ports agree across the ConfigMap, compose and EXPOSE."""
    container = _container()
    serving, metrics = _named_port(container, "http"), _named_port(container, "metrics")
    assert {p["name"] for p in container["ports"]} == {"http", "metrics"}
    config = _kind("ConfigMap")["data"]
    compose = _compose_environment(_compose()["services"]["bot"])
    assert int(config["PORT"]) == int(compose["PORT"]) == serving
    assert int(config["SNOWBOT_METRICS_PORT"]) == int(compose["SNOWBOT_METRICS_PORT"]) == metrics
    assert _instruction_args("EXPOSE") == [f"{serving} {metrics}"]


def test_prometheus_scrapes_the_metrics_port() -> None:
    """The scrape annotations name the metrics port, which the Service does not expose."""
    annotations = _kind("Deployment")["spec"]["template"]["metadata"]["annotations"]
    container = _container()
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert int(annotations["prometheus.io/port"]) == _named_port(container, "metrics")
    exposed = {port["targetPort"] for port in _kind("Service")["spec"]["ports"]}
    assert exposed == {"http"}


def _policy_rules(direction: str) -> list[dict[str, Any]]:
    return list(_kind("NetworkPolicy")["spec"][direction])


def _rule_ports(rule: dict[str, Any]) -> set[int]:
    return {int(port["port"]) for port in rule.get("ports", [])}


def test_metrics_port_admits_only_the_monitoring_namespace() -> None:
    """Anyone may reach the serving port; only a selected namespace reaches metrics."""
    container = _container()
    metrics = _named_port(container, "metrics")
    (metrics_rule,) = [r for r in _policy_rules("ingress") if metrics in _rule_ports(r)]
    assert _rule_ports(metrics_rule) == {metrics}
    assert metrics_rule["from"]
    assert all("namespaceSelector" in peer for peer in metrics_rule["from"])


def test_every_egress_rule_names_where_it_goes() -> None:
    """No egress rule is open to every destination: each one has a `to`."""
    rules = _policy_rules("egress")
    assert rules
    assert all(rule.get("to") for rule in rules)


def test_dns_egress_reaches_only_the_cluster_dns() -> None:
    """Port 53 goes to the kube-dns pods in kube-system only."""
    (dns,) = [r for r in _policy_rules("egress") if 53 in _rule_ports(r)]
    (peer,) = dns["to"]
    assert peer["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "kube-system"
    }
    assert peer["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}


def test_https_egress_never_reaches_private_or_metadata_addresses() -> None:
    """Port 443 goes to public addresses only: not the cloud metadata service, not the
    cluster's or the company's private ranges."""
    (https,) = [r for r in _policy_rules("egress") if 443 in _rule_ports(r)]
    assert _rule_ports(https) == {443}
    blocks = {
        peer["ipBlock"]["cidr"]: set(peer["ipBlock"].get("except", [])) for peer in https["to"]
    }
    assert blocks["0.0.0.0/0"] >= {
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8",
        "100.64.0.0/10",
    }
    assert blocks["::/0"] >= {"fc00::/7", "fe80::/10", "::1/128"}


def test_redis_egress_reaches_only_redis_pods() -> None:
    """Redis ports go to pods labelled as Redis, not to any address."""
    (redis,) = [r for r in _policy_rules("egress") if 6379 in _rule_ports(r)]
    assert all("podSelector" in peer for peer in redis["to"])


def test_rolling_update_never_drops_below_the_replica_count() -> None:
    """A rollout adds a pod before it removes one (maxUnavailable 0)."""
    rolling = _kind("Deployment")["spec"]["strategy"]["rollingUpdate"]
    assert rolling["maxUnavailable"] == 0
    assert rolling["maxSurge"] >= 1


def test_shutdown_drains_before_the_grace_period_ends() -> None:
    """A preStop sleep runs first and the grace period of 30 s or more outlasts it."""
    pod = _kind("Deployment")["spec"]["template"]["spec"]
    command = _container()["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    # After SIGTERM, `snowbot serve` waits up to 20 s for requests and 15 s for work.
    assert pod["terminationGracePeriodSeconds"] >= max(30, int(command[1]) + 20 + 15)


def test_container_is_locked_down() -> None:
    """The pod runs non-root with a read-only root filesystem and no capabilities."""
    pod = _kind("Deployment")["spec"]["template"]["spec"]
    context = _container()["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]


def test_image_user_is_the_pod_user() -> None:
    """The Dockerfile's non-root USER is the uid the Deployment runs as."""
    (user,) = _instruction_args("USER")
    uid = user.partition(":")[0]
    assert uid not in {"root", "0"}
    assert int(uid) == _kind("Deployment")["spec"]["template"]["spec"]["securityContext"][
        "runAsUser"
    ]


def test_hpa_scales_the_deployment_on_cpu_it_requests() -> None:
    """The autoscaling/v2 HPA targets the Deployment on CPU, which the container requests."""
    hpa = _kind("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == _kind("Deployment")["metadata"]["name"]
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert "cpu" in _container()["resources"]["requests"]
    assert set(_container()["resources"]["limits"]) == {"cpu", "memory"}


def test_selectors_match_the_pods() -> None:
    """The Service, the PDB and the NetworkPolicy select exactly the Deployment's pods."""
    labels = _pod_labels()
    assert _kind("Deployment")["spec"]["selector"]["matchLabels"] == labels
    assert _kind("Service")["spec"]["selector"] == labels
    assert _kind("PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == labels
    assert _kind("NetworkPolicy")["spec"]["podSelector"]["matchLabels"] == labels


def test_pdb_keeps_one_pod() -> None:
    """The PodDisruptionBudget keeps one pod, fewer than the minimum replica count."""
    min_available = _kind("PodDisruptionBudget")["spec"]["minAvailable"]
    assert min_available == 1
    assert min_available < _kind("HorizontalPodAutoscaler")["spec"]["minReplicas"]


def test_kustomization_lists_every_manifest_but_the_example_secret() -> None:
    """kubectl apply -k applies every manifest except the placeholder Secret."""
    resources = _yaml(K8S / "kustomization.yaml")["resources"]
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(resources) == manifests - {"secret.example.yaml"}


def test_manifests_are_namespace_agnostic() -> None:
    """No manifest and not the kustomization pins a namespace; the operator chooses it."""
    assert "namespace" not in _yaml(K8S / "kustomization.yaml")
    assert all("namespace" not in doc["metadata"] for doc in _k8s_docs())


# ---- Slack app manifest ------------------------------------------------------------


def _manifest() -> dict[str, Any]:
    return dict(_yaml(DEPLOY / "slack-manifest.yaml"))


def test_manifest_declares_snow_on_the_events_url() -> None:
    """The manifest's one slash command is /snow, sent to /slack/events unescaped."""
    (command,) = _manifest()["features"]["slash_commands"]
    assert command["command"] == "/snow"
    assert command["url"] == PUBLIC_EVENTS_URL
    assert command["should_escape"] is False


def test_manifest_declares_the_message_shortcut() -> None:
    """The manifest has the "Create incident from this message" message shortcut."""
    (shortcut,) = _manifest()["features"]["shortcuts"]
    assert shortcut["callback_id"] == "create_incident_from_message"
    assert shortcut["type"] == "message"
    assert shortcut["name"] == "Create incident from this message"


def test_manifest_subscribes_to_the_bot_events() -> None:
    """The manifest subscribes to exactly the bot events the bot handles."""
    events = _manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(
        ["app_home_opened", "app_mention", "message.im", "app_uninstalled", "tokens_revoked",
         "user_change"]
    )


def test_manifest_asks_for_least_privilege_bot_scopes() -> None:
    """The manifest asks for exactly the bot scopes the features need and no user scopes."""
    scopes = _manifest()["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}
    assert sorted(scopes["bot"]) == sorted(
        ["commands", "chat:write", "im:history", "im:write", "app_mentions:read", "users:read",
         "users:read.email", "channels:read"]
    )


def test_manifest_sends_everything_to_one_request_url() -> None:
    """Events and interactivity use the same /slack/events URL as the slash command."""
    settings = _manifest()["settings"]
    assert settings["event_subscriptions"]["request_url"] == PUBLIC_EVENTS_URL
    assert settings["interactivity"] == {"is_enabled": True, "request_url": PUBLIC_EVENTS_URL}


def test_manifest_lets_people_message_the_bot() -> None:
    """The Messages tab is writable, the Home tab on, and HTTP mode without rotation is set."""
    manifest = _manifest()
    assert manifest["_metadata"] == {"major_version": 1}
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert manifest["features"]["bot_user"]["always_online"] is True
    settings = manifest["settings"]
    assert (settings["org_deploy_enabled"], settings["socket_mode_enabled"]) == (False, False)
    assert settings["token_rotation_enabled"] is False


# ---- compose and image --------------------------------------------------------------


def test_compose_redis_is_durable_and_never_evicts() -> None:
    """Compose's Redis runs AOF with everysec fsync and the noeviction policy, on a volume."""
    redis = _compose()["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert "--appendfsync everysec" in command
    assert "--maxmemory-policy noeviction" in command
    assert any(str(volume).endswith(":/data") for volume in redis["volumes"])
    assert redis["healthcheck"]["test"][-1] == "ping"


def test_compose_bot_waits_for_a_healthy_redis() -> None:
    """The bot starts after Redis is healthy, reaches it by service name and serves on 3000."""
    bot = _compose()["services"]["bot"]
    assert bot["depends_on"] == {"redis": {"condition": "service_healthy"}}
    assert _compose_environment(bot)["REDIS_URL"] == "redis://redis:6379/0"
    assert "127.0.0.1:3000:3000" in bot["ports"]


def test_compose_publishes_on_loopback_only() -> None:
    """Every port compose publishes is bound to 127.0.0.1 (a proxy or tunnel fronts it)."""
    published = [
        str(port)
        for service in _compose()["services"].values()
        for port in service.get("ports", [])
    ]
    assert published
    assert all(port.startswith("127.0.0.1:") for port in published)


def test_image_is_multi_stage_slim_python_311() -> None:
    """The Dockerfile builds in one python 3.11 slim stage and runs in another."""
    images = _instruction_args("ARG")
    stages = _instruction_args("FROM")
    assert any(re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim\S*", arg) for arg in images)
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]


def test_base_image_is_pinned_by_digest() -> None:
    """The base image is the 3.11 slim tag pinned to one digest, so rebuilds are identical."""
    (image,) = [arg for arg in _instruction_args("ARG") if arg.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", image)


def test_image_serves_and_checks_healthz() -> None:
    """The image runs `snowbot serve` and its HEALTHCHECK fetches /healthz with Python."""
    (cmd,) = _instruction_args("CMD")
    (healthcheck,) = _instruction_args("HEALTHCHECK")
    assert json.loads(cmd) == ["snowbot", "serve"]
    assert "/healthz" in healthcheck
    assert "urllib.request" in healthcheck


def test_build_context_is_an_allow_list() -> None:
    """The per-Dockerfile ignore file excludes everything first, so .env never enters it."""
    lines = [
        line.strip()
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    assert "**/.env" in lines

