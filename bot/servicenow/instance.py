"""Which ServiceNow instance the bot may talk to, decided before any socket opens.

The bot sends users' bearer tokens and the client secret to the instance, so the
value an admin types is treated as hostile:

* a name (``dev98042``) or a host (``dev98042.service-now.com``, also under
  ``servicenowservices.com``) or an ``https://`` URL of one (a single trailing ``/``
  is fine) normalises to ``https://<name>.service-now.com``;
* a custom domain is admitted only when the operator allow-lists that exact host
  (``SNOWBOT_ALLOWED_INSTANCE_DOMAINS``), and then only over https without a port;
* ``SNOWBOT_ALLOW_INSECURE_INSTANCE`` additionally admits ``http://127.0.0.1:PORT``
  and ``http://localhost:PORT`` (tests and the demo), nothing more;
* everything else (IP addresses, other hosts, ports, userinfo, paths, queries,
  fragments, percent-escapes, backslashes, non-ASCII, inner whitespace, control
  characters) raises ``InstanceRefusedError`` whose ``detail`` is a plain sentence
  safe to show the admin (it never echoes the value).

Surrounding spaces and tabs are trimmed (a value pasted into a modal often has
them); whitespace inside the value is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.errors import InstanceRefusedError
from bot.settings import Settings

SERVICENOW_SUFFIXES = (".service-now.com", ".servicenowservices.com")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_FORBIDDEN = frozenset("@?#%\\")
_TRIM = " \t\r\n"
_MAX_LENGTH = 253


@dataclass(frozen=True)
class Instance:
    """An accepted instance: its base URL (no trailing slash) and host.

    Build it with ``parse_instance`` or ``InstancePolicy.parse``; the constructor
    re-checks the URL's shape as a second line of defence, so a hand-built
    ``Instance`` can never carry a path, userinfo, an IP address or a remote
    ``http://`` URL.
    """

    url: str
    host: str
    insecure: bool = False

    def __post_init__(self) -> None:
        if self.insecure:
            match = re.fullmatch(r"http://(127\.0\.0\.1|localhost):([0-9]{1,5})", self.url)
            ok = (
                match is not None
                and match.group(1) == self.host
                and 0 < int(match.group(2)) < 65536
            )
        else:
            ok = self.url == f"https://{self.host}" and _is_dns_name(self.host)
        if not ok:
            msg = f"not an accepted instance URL: {self.url!r}"
            raise ValueError(msg)

    def endpoint(self, path: str) -> str:
        """The absolute URL of ``path`` (which must start with ``/``) on this instance."""
        if not path.startswith("/") or path.startswith("//"):
            msg = f"instance paths start with a single '/': {path!r}"
            raise ValueError(msg)
        return self.url + path

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class InstancePolicy:
    """The operator's rules: allow-listed custom hosts and the loopback switch."""

    allowed_domains: frozenset[str] = field(default_factory=frozenset)
    allow_insecure: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> InstancePolicy:
        """The policy configured by ``SNOWBOT_ALLOWED_INSTANCE_DOMAINS`` and friends."""
        return cls.build(
            allowed_domains=settings.allowed_instance_domains,
            allow_insecure=settings.allow_insecure_instance,
        )

    @classmethod
    def build(
        cls, *, allowed_domains: Iterable[str] = (), allow_insecure: bool = False
    ) -> InstancePolicy:
        """A policy whose allow-list entries are checked and normalised."""
        hosts = set()
        for entry in allowed_domains:
            host = entry.strip(_TRIM).lower().rstrip(".")
            if not _is_dns_name(host) or "." not in host:
                msg = (
                    "An entry of SNOWBOT_ALLOWED_INSTANCE_DOMAINS is not a host name; "
                    "list host names only, such as support.example.com."
                )
                raise InstanceRefusedError(msg)
            hosts.add(host)
        return cls(allowed_domains=frozenset(hosts), allow_insecure=allow_insecure)

    def parse(self, value: str) -> Instance:
        """The instance ``value`` names, or ``InstanceRefusedError`` saying why not."""
        return _parse(value, self)


def instance_host(url: str) -> str:
    """The host of an instance URL, for people (the URL itself when it has none)."""
    return urlsplit(url).netloc or url


def parse_instance(
    value: str, *, allowed_domains: Iterable[str] = (), allow_insecure: bool = False
) -> Instance:
    """Normalise an instance name or URL, refusing anything outside the rules."""
    policy = InstancePolicy.build(allowed_domains=allowed_domains, allow_insecure=allow_insecure)
    return policy.parse(value)


def _refuse(sentence: str) -> InstanceRefusedError:
    return InstanceRefusedError(sentence)


def _is_dns_name(host: str) -> bool:
    if not host or len(host) > _MAX_LENGTH:
        return False
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return False
    # The last label of a real host name is never all digits: that is an IP form.
    return not labels[-1].isdigit()


def _parse(value: str, policy: InstancePolicy) -> Instance:
    if not isinstance(value, str):
        msg = "instance values are strings"
        raise TypeError(msg)
    text = value.strip(_TRIM)
    if not text:
        raise _refuse("The instance is empty; enter a name such as dev12345.")
    if len(text) > _MAX_LENGTH + 16:
        raise _refuse("The instance value is too long to be a ServiceNow address.")
    if not text.isascii():
        raise _refuse(
            "The instance contains non-ASCII characters; ServiceNow instance names use "
            "letters, digits and hyphens only."
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise _refuse("The instance contains spaces or control characters.")
    text = text.lower()
    if "[" in text or "]" in text:
        raise _refuse("The instance must be a ServiceNow host name, not an IP address.")
    if any(ch in _FORBIDDEN for ch in text):
        raise _refuse(
            "The instance must be a plain address: no user name, query, fragment, "
            "percent-escapes or backslashes."
        )
    scheme, sep, rest = text.partition("://")
    if not sep:
        if "/" in text or ":" in text:
            raise _refuse(
                "Enter the instance name (like dev12345) or its full "
                "https://<name>.service-now.com address."
            )
        return _host_instance(text, policy, bare=True)
    if scheme not in ("https", "http"):
        raise _refuse("The instance address must start with https://.")
    authority, slash, path = rest.partition("/")
    if slash and path:
        raise _refuse("The instance address must not have a path; use only https://<host>.")
    host, colon, port = authority.partition(":")
    if scheme == "http" or colon:
        return _loopback_instance(scheme=scheme, host=host, colon=colon, port=port, policy=policy)
    return _host_instance(host, policy, bare=False)


def _loopback_instance(
    *, scheme: str, host: str, colon: str, port: str, policy: InstancePolicy
) -> Instance:
    if not (policy.allow_insecure and scheme == "http" and host in LOOPBACK_HOSTS):
        if scheme == "http":
            raise _refuse("The instance address must use https://, not http://.")
        raise _refuse("The instance address must not name a port; ServiceNow uses HTTPS on 443.")
    if not colon or not _PORT.fullmatch(port) or int(port) > 65535:
        raise _refuse("A local test instance needs a port, like http://127.0.0.1:8080.")
    return Instance(url=f"http://{host}:{port}", host=host, insecure=True)


def _host_instance(text: str, policy: InstancePolicy, *, bare: bool) -> Instance:
    host = text[:-1] if text.endswith(".") else text
    if not host:
        raise _refuse("The instance address has no host name.")
    for suffix in SERVICENOW_SUFFIXES:
        if host.endswith(suffix):
            return _servicenow_instance(host[: -len(suffix)], suffix)
    if host in policy.allowed_domains:
        return Instance(url=f"https://{host}", host=host)
    if bare and "." not in host:
        return _servicenow_instance(host, SERVICENOW_SUFFIXES[0])
    if all(part.isdigit() for part in host.split(".") if part) or host.startswith("["):
        raise _refuse("The instance must be a ServiceNow host name, not an IP address.")
    raise _refuse(
        "That host is not a ServiceNow instance: use <name>.service-now.com, or ask the "
        "operator to allow-list your custom domain."
    )


def _servicenow_instance(name: str, suffix: str) -> Instance:
    if not _LABEL.fullmatch(name):
        raise _refuse(
            "The instance name must be one word of letters, digits and inner hyphens "
            "(like dev12345)."
        )
    if name.isdigit() or name.startswith("xn--") or name == "localhost":
        raise _refuse(
            "The instance name must be one word of letters, digits and inner hyphens "
            "(like dev12345)."
        )
    host = f"{name}{suffix}"
    return Instance(url=f"https://{host}", host=host)
