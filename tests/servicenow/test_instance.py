"""Instance validation: which values reach a socket at all."""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InstanceRefusedError
from bot.servicenow.instance import Instance, InstancePolicy, parse_instance
from bot.settings import Settings

_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ACCEPTED = re.compile(
    r"https://[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:service-now|servicenowservices)\.com"
)


@pytest.mark.parametrize(
    "value",
    [
        "dev98042",
        "DEV98042",
        " dev98042\t",
        "dev98042.service-now.com",
        "dev98042.service-now.com.",
        "https://dev98042.service-now.com",
        "https://dev98042.service-now.com/",
        "HTTPS://Dev98042.Service-Now.com/",
    ],
)
def test_names_and_urls_normalise_to_the_https_base(value: str) -> None:
    """A name, a host or an https URL of one becomes https://<name>.service-now.com."""
    instance = parse_instance(value)
    assert instance == Instance(
        url="https://dev98042.service-now.com", host="dev98042.service-now.com"
    )


def test_servicenowservices_hosts_are_allowed() -> None:
    """An instance under servicenowservices.com is accepted as it is."""
    instance = parse_instance("https://agency.servicenowservices.com/")
    assert instance.url == "https://agency.servicenowservices.com"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "127.0.0.1",
        "2130706433",
        "0x7f.1",
        "[::1]",
        "https://[::1]",
        "localhost",
        "169.254.169.254",
        "https://169.254.169.254",
        "acme.service-now.com.evil.com",
        "https://acme.service-now.com.evil.com",
        "evil.com#.service-now.com",
        "https://evil.com#.service-now.com",
        "https://evil.com?.service-now.com",
        "https://evil.com\\.service-now.com",
        "user@acme",
        "https://user@acme.service-now.com",
        "https://user:pw@acme.service-now.com",
        "http://acme.service-now.com",
        "acme:8443",
        "https://acme.service-now.com:8443",
        "https://acme.service-now.com:443",
        "https://acme.service-now.com/api",
        "https://acme.service-now.com//",
        "https://acme.service-now.com/?x=1",
        "https://acme.service-now.com%2f",
        "ftp://acme.service-now.com",
        "acme corp",
        "acme\n.service-now.com",
        "acme.service-now.com\x00",
        "ａcme",
        "acmе.service-now.com",
        "xn--acme-0ra.service-now.com",
        "a.b.service-now.com",
        ".service-now.com",
        "-acme.service-now.com",
        "acme-.service-now.com",
        "a" * 64,
        "example.com",
        "https://example.com",
        "//acme.service-now.com",
        "http://127.0.0.1:8080",
        "http://localhost:8080",
    ],
)
def test_values_outside_the_rules_are_refused(value: str) -> None:
    """IPs, other hosts, ports, userinfo, paths, lookalikes, IDN and http are refused."""
    with pytest.raises(InstanceRefusedError):
        parse_instance(value)


def test_refusal_is_a_plain_sentence_without_the_value() -> None:
    """The refusal says what is wrong in a sentence and does not echo the input."""
    with pytest.raises(InstanceRefusedError) as caught:
        parse_instance("https://dev1.service-now.com:8443")
    assert caught.value.detail.endswith(".")
    assert "8443" not in caught.value.detail


def test_an_allow_listed_custom_domain_is_admitted() -> None:
    """An operator-listed custom host is admitted over https without a port."""
    policy = InstancePolicy.build(allowed_domains=["Support.Example.com"])
    assert policy.parse("https://support.example.com/").url == "https://support.example.com"
    assert policy.parse("support.example.com").host == "support.example.com"


@pytest.mark.parametrize(
    "value",
    [
        "https://support.example.com:8443",
        "http://support.example.com",
        "https://evil.support.example.com",
        "https://support.example.com.evil.com",
        "https://support.example.com/path",
    ],
)
def test_an_allow_listed_domain_admits_nothing_else(value: str) -> None:
    """Ports, http, sub-domains and suffixes of an allow-listed host stay refused."""
    policy = InstancePolicy.build(allowed_domains=["support.example.com"])
    with pytest.raises(InstanceRefusedError):
        policy.parse(value)


@pytest.mark.parametrize("entry", ["10.0.0.5", "localhost", "https://x.example.com", "*.x.com"])
def test_an_allow_list_entry_that_is_not_a_host_is_refused(entry: str) -> None:
    """An allow-list entry that is an IP, a URL or a pattern is a configuration error."""
    with pytest.raises(InstanceRefusedError):
        InstancePolicy.build(allowed_domains=[entry])


def test_policy_is_read_from_settings() -> None:
    """The policy takes the allow-list and the loopback switch from Settings."""
    settings = Settings.for_tests(
        allowed_instance_domains="help.example.org", allow_insecure_instance=True
    )
    policy = InstancePolicy.from_settings(settings)
    assert policy.parse("help.example.org").url == "https://help.example.org"
    assert policy.parse("http://127.0.0.1:9000").insecure


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
    ],
)
def test_insecure_mode_admits_loopback_http(value: str, url: str) -> None:
    """With the insecure switch, loopback http URLs with a port are admitted."""
    instance = parse_instance(value, allow_insecure=True)
    assert (instance.url, instance.insecure) == (url, True)


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1",
        "http://127.0.0.1:0",
        "http://127.0.0.1:70000",
        "http://127.0.0.2:8080",
        "http://10.0.0.5:8080",
        "http://example.com:8080",
        "http://127.0.0.1:8080/api",
        "https://127.0.0.1:8080",
        "http://user@127.0.0.1:8080",
        "http://[::1]:8080",
    ],
)
def test_insecure_mode_admits_nothing_more(value: str) -> None:
    """The insecure switch admits only loopback http with a port, nothing more."""
    with pytest.raises(InstanceRefusedError):
        parse_instance(value, allow_insecure=True)


@pytest.mark.parametrize(
    ("url", "host", "insecure"),
    [
        ("https://10.0.0.5", "10.0.0.5", False),
        ("http://dev1.service-now.com", "dev1.service-now.com", False),
        ("https://dev1.service-now.com/x", "dev1.service-now.com", False),
        ("http://10.0.0.5:80", "10.0.0.5", True),
    ],
)
def test_a_hand_built_instance_is_checked_too(url: str, host: str, insecure: bool) -> None:
    """Constructing Instance directly with a bad URL is a programming error."""
    with pytest.raises(ValueError, match="not an accepted instance"):
        Instance(url=url, host=host, insecure=insecure)


_alphabet = st.sampled_from(
    [*"abcdefz019-._:/@?#%[]\\ \t\n", "://", "https", "http", "service-now.com", "é", "\x00"]
)
_tricky = st.lists(_alphabet, max_size=20).map("".join)


def _check_accepted(instance: Instance) -> None:
    if instance.insecure:
        assert re.fullmatch(r"http://(127\.0\.0\.1|localhost):[1-9][0-9]{0,4}", instance.url)
    else:
        assert _ACCEPTED.fullmatch(instance.url) or instance.host == "help.example.org"


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(st.text(max_size=40), _tricky))
def test_no_string_outside_the_rules_is_accepted(value: str) -> None:
    """Whatever the string, an accepted instance is a ServiceNow, listed or loopback host."""
    policy = InstancePolicy.build(allowed_domains=["help.example.org"], allow_insecure=True)
    try:
        instance = policy.parse(value)
    except InstanceRefusedError:
        return
    _check_accepted(instance)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=40), _tricky))
async def test_a_refused_value_never_opens_a_connection(value: str) -> None:
    """A refused value raises before the HTTP client sees any request."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(record)
    async with httpx.AsyncClient(transport=transport) as http:
        try:
            instance = parse_instance(value)
        except InstanceRefusedError:
            assert seen == []
            return
        await http.get(instance.endpoint("/stats.do"))
    assert [request.url.host for request in seen] == [instance.host]
    assert _ACCEPTED.fullmatch(instance.url)


@settings(max_examples=200, deadline=None)
@given(name=st.from_regex(_NAME, fullmatch=True))
def test_every_valid_name_normalises(name: str) -> None:
    """Any single DNS label that is not all digits names an instance under service-now.com."""
    try:
        instance = parse_instance(name)
    except InstanceRefusedError:
        assert name.isdigit() or name.startswith("xn--") or name == "localhost"
        return
    assert instance.url == f"https://{name}.service-now.com"
