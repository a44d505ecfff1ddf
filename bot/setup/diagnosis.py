"""From what the bot observed to a checklist and ranked causes (pure: no I/O).

ServiceNow hides most causes behind one 401, and some failures happen in the admin's
browser, so the diagnosis works from what the bot itself could see, step by step,
and stops at the first step that failed: the failure there decides the causes, most
likely first. The ordinary-user part (the colleague's link) adds its own.

Observation values (``None``: the step has not run):

- ``token_probe``: ``ok`` | ``unreachable`` | ``timeout`` | ``tls`` | ``proxy`` |
  ``not_servicenow`` | ``unavailable``
- ``authorize_probe``: the same, plus ``gateway`` (502/504 or a time-out on the sign-in
  page), ``client_unknown`` (refused before sign-in)
- ``signin``: ``waiting`` (link sent) | ``opened`` (link opened, no callback yet) |
  ``no_callback`` (opened, nothing came back in time) | ``denied`` | ``ok``
- ``exchange``: ``ok`` | ``refused_pkce`` (refused with a PKCE verifier, retry pending) |
  ``refused`` | ``unavailable``; ``pkce_off``: the exchange worked only without PKCE
- ``identity``, ``incidents``: ``ok`` | ``forbidden`` | ``unauthorized`` | ``error``
- ``feedback``: ``ok`` | ``missing`` | ``forbidden`` | ``error``
- ``colleague_link``: ``waiting`` | ``ok`` | ``privileged`` | ``refused``;
  ``colleague_incidents``, ``colleague_feedback``: as ``incidents``/``feedback``
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from bot.blocks.models import CheckItem, Finding
from bot.setup.causes import Cause, finding

_TRANSPORT: dict[str, list[Cause]] = {
    "unreachable": ["unreachable", "mistyped"],
    "timeout": ["unreachable", "mistyped"],
    "tls": ["tls", "proxy"],
    "proxy": ["proxy", "tls"],
    "not_servicenow": ["mistyped", "unreachable"],
    "unavailable": ["instance_down", "hardened"],
}
_AUTHORIZE: dict[str, list[Cause]] = {
    **_TRANSPORT,
    "gateway": ["hardened", "second_record"],
    "client_unknown": ["client_id", "mistyped"],
}
_SIGNIN: dict[str, list[Cause]] = {
    "no_callback": ["redirect", "hardened", "not_finished"],
    "denied": ["denied", "not_finished"],
}
_EXCHANGE: dict[str, list[Cause]] = {
    "refused_pkce": ["pkce", "secret", "hardened"],
    "refused": ["secret", "hardened", "second_record"],
    "unavailable": ["instance_down", "hardened"],
}
_TABLE: dict[str, list[Cause]] = {
    "forbidden": ["tables_acl", "rest_role"],
    "unauthorized": ["token_restrictions", "hardened"],
    "error": ["instance_down"],
}
_FEEDBACK: dict[str, list[Cause]] = {
    "missing": ["feedback_missing"],
    "forbidden": ["feedback_acl"],
    "unauthorized": ["token_restrictions"],
    "error": ["instance_down"],
}
_COLLEAGUE_LINK: dict[str, list[Cause]] = {
    "refused": ["colleague_refused", "rest_role", "hardened"],
    "privileged": ["colleague_privileged"],
}
_COLLEAGUE_TABLE: dict[str, list[Cause]] = {
    "forbidden": ["rest_role", "tables_acl"],
    "unauthorized": ["token_restrictions", "rest_role"],
    "error": ["instance_down"],
}

LABELS = {
    "token_probe": "The instance answers",
    "authorize_probe": "The sign-in page loads",
    "signin": "You signed in and ServiceNow sent you back",
    "exchange": "The code was exchanged for a token",
    "identity": "ServiceNow says who you are",
    "incidents": "The incident table can be read",
    "feedback": "The feedback table {table} answers",
    "colleague_link": "{who} linked their account",
    "colleague_incidents": "{who} can read incidents",
    "colleague_feedback": "{who} can use the feedback table",
}
_DETAILS = {
    "unreachable": "nothing answered",
    "timeout": "no answer in time",
    "tls": "TLS error",
    "proxy": "proxy error",
    "not_servicenow": "not a ServiceNow answer",
    "unavailable": "server error",
    "gateway": "504 Gateway Time-out, or no answer in time",
    "client_unknown": "the client id was refused",
    "waiting": "waiting for the sign-in",
    "opened": "sign-in opened, waiting for ServiceNow to send you back",
    "no_callback": "the sign-in was opened but ServiceNow never sent the browser back",
    "denied": "access was denied",
    "refused_pkce": "refused with PKCE (access_denied)",
    "refused": "refused (access_denied)",
    "forbidden": "403: refused by an ACL or role",
    "unauthorized": "401: the token was not accepted",
    "error": "ServiceNow answered with an error",
    "missing": "the table does not exist",
    "privileged": "that account has admin or ITIL roles",
}
_PENDING = frozenset({"waiting", "opened"})
_INDEPENDENT = frozenset({"incidents", "feedback", "colleague_incidents", "colleague_feedback"})


class Observations(BaseModel):
    """What the connection test saw, step by step (see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    token_probe: str | None = None
    authorize_probe: str | None = None
    signin: str | None = None
    exchange: str | None = None
    pkce_off: bool = False
    identity: str | None = None
    incidents: str | None = None
    feedback: str | None = None
    colleague_link: str | None = None
    colleague_incidents: str | None = None
    colleague_feedback: str | None = None


@dataclass(frozen=True)
class Diagnosis:
    """The checklist, the causes ranked (most likely first), and their findings."""

    items: tuple[CheckItem, ...]
    causes: tuple[Cause, ...]
    findings: tuple[Finding, ...]

    @property
    def hardened(self) -> bool:
        """Whether the hardened-instance checklist applies."""
        return "hardened" in self.causes or "colleague_refused" in self.causes

    @property
    def failed(self) -> bool:
        """Whether any step failed."""
        return any(item.ok is False for item in self.items)

    @property
    def pending(self) -> bool:
        """Whether a step waits for someone (the admin's sign-in, the colleague's link)."""
        return any(item.ok is None and item.detail for item in self.items)


_ADMIN_STEPS: tuple[tuple[str, dict[str, list[Cause]]], ...] = (
    ("token_probe", _TRANSPORT),
    ("authorize_probe", _AUTHORIZE),
    ("signin", _SIGNIN),
    ("exchange", _EXCHANGE),
    ("identity", _TABLE),
    ("incidents", _TABLE),
    ("feedback", _FEEDBACK),
)
_COLLEAGUE_STEPS: tuple[tuple[str, dict[str, list[Cause]]], ...] = (
    ("colleague_link", _COLLEAGUE_LINK),
    ("colleague_incidents", _COLLEAGUE_TABLE),
    ("colleague_feedback", _FEEDBACK),
)


def _walk(
    obs: Observations,
    steps: tuple[tuple[str, dict[str, list[Cause]]], ...],
    *,
    label_values: dict[str, str],
) -> tuple[list[CheckItem], list[Cause]]:
    items: list[CheckItem] = []
    causes: list[Cause] = []
    stopped = False
    for name, table in steps:
        label = LABELS[name].format(**label_values)
        value: str | None = getattr(obs, name)
        if stopped or value is None:
            items.append(CheckItem(label=label, ok=None))
            continue
        if value in _PENDING:
            items.append(CheckItem(label=label, ok=None, detail=_DETAILS[value]))
            stopped = True
            continue
        if value == "ok":
            detail = ""
            if name == "exchange" and obs.pkce_off:
                detail = "only without PKCE, so the connection is saved with PKCE off"
            items.append(CheckItem(label=label, ok=True, detail=detail))
            continue
        items.append(CheckItem(label=label, ok=False, detail=_DETAILS.get(value, value)))
        causes += table.get(value, ["instance_down"])
        # Later steps depend on this one; the table checks are independent of each other.
        stopped = name not in _INDEPENDENT
    return items, causes


def diagnose(
    obs: Observations,
    *,
    host: str = "",
    redirect_uri: str = "",
    table: str = "u_snowbot_feedback",
    colleague: str = "",
) -> Diagnosis:
    """The checklist for ``obs`` and the likely causes of its failures, most likely first."""
    items, causes = _walk(obs, _ADMIN_STEPS, label_values={"table": table})
    if obs.colleague_link is not None:
        more, extra = _walk(
            obs, _COLLEAGUE_STEPS, label_values={"who": colleague or "Your colleague"}
        )
        items += more
        causes += extra
    ranked: list[Cause] = []
    for cause in causes:
        if cause not in ranked:
            ranked.append(cause)
    if "hardened" in ranked or "colleague_refused" in ranked:
        # The hardened-instance checklist shown with them ends with the second record.
        ranked = [cause for cause in ranked if cause != "second_record"]
    findings = tuple(
        finding(cause, host=host, redirect_uri=redirect_uri, table=table) for cause in ranked
    )
    return Diagnosis(items=tuple(items), causes=tuple(ranked), findings=findings)
