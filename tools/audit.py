"""``python -m tools.audit``: known vulnerabilities in the locked set, or why none were checked.

Runs pip-audit over both lock files without installing anything (``--disable-pip``: the
locks are fully pinned and hashed). A known vulnerability fails with exit 1 and one line
per advisory naming the package, the version and the advisory. When no advisory service
answers from this machine (PyPI's per-release vulnerability data, then OSV), the step
says so and exits 0: an offline runner must not turn a green commit red, and the
message makes the skipped audit visible in the CI log.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tools.lockfile import DEV_LOCK, RUNTIME_LOCK, read_lock

PROBE_TIMEOUT: Final = 10.0
SERVICES: Final = ("pypi", "osv")


def findings(report: Mapping[str, Any]) -> list[str]:
    """One line per advisory in a pip-audit JSON report: package, version, advisory, fix."""
    lines: list[str] = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            aliases = [a for a in vuln.get("aliases", []) if a != vuln["id"]]
            also = f" (also {', '.join(aliases)})" if aliases else ""
            fixes = vuln.get("fix_versions") or []
            fix = f"; fixed in {', '.join(fixes)}" if fixes else "; no fixed release yet"
            lines.append(
                f"{dependency['name']} {dependency['version']}: {vuln['id']}{also}{fix}"
            )
    return lines


def unaudited(report: Mapping[str, Any]) -> list[str]:
    """The packages the service could not answer for, with its reason."""
    return [
        f"{d['name']}: {d['skip_reason']}"
        for d in report.get("dependencies", [])
        if d.get("skip_reason")
    ]


def _answers(url: str, body: bytes | None = None) -> bool:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")  # noqa: S310
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, TimeoutError, OSError):
        return False


def reachable_service() -> str | None:
    """The first advisory service that answers a real query for a locked package."""
    pin = read_lock(RUNTIME_LOCK.read_text(encoding="utf-8"))[0]
    if _answers(f"https://pypi.org/pypi/{pin.name}/{pin.version}/json"):
        return "pypi"
    query = {"package": {"name": pin.name, "ecosystem": "PyPI"}, "version": str(pin.version)}
    if _answers("https://api.osv.dev/v1/query", json.dumps(query).encode()):
        return "osv"
    return None


def audit(service: str, locks: Sequence[str]) -> dict[str, Any]:
    """pip-audit's JSON report over the lock files, from the given service."""
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes"]
    command += ["--format", "json", "--progress-spinner", "off", "-s", service]
    for lock in locks:
        command += ["-r", lock]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"audit: pip-audit failed:\n{result.stderr.strip()}") from None
    return report


def main() -> int:
    """Audit the locks; 1 when any locked release has a known vulnerability."""
    service = reachable_service()
    if service is None:
        print(
            "audit: skipped, no advisory service can be reached from this machine "
            "(pypi.org's per-release JSON and api.osv.dev both failed); the locked set "
            "was not checked for known vulnerabilities"
        )
        return 0
    report = audit(service, [str(RUNTIME_LOCK), str(DEV_LOCK)])
    bad = findings(report)
    skipped = unaudited(report)
    if skipped:
        print(f"audit: {len(skipped)} locked package(s) could not be checked on {service}:")
        print("\n".join(f"  {line}" for line in skipped))
    if bad:
        print(f"audit: {len(bad)} known vulnerability(ies) in the locked set ({service}):")
        print("\n".join(f"  {line}" for line in bad))
        print("audit: update the pin with scripts/lock --upgrade-package NAME, then test")
        return 1
    checked = len(report.get("dependencies", [])) - len(skipped)
    print(f"audit: {checked} locked package(s) checked on {service}, no known vulnerability")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
