"""Run the sandbox on its own: ``python -m snowbot_sandbox.servicenow --port 8100``.

Prints the base URL and the seeded OAuth client's credentials, then serves until
interrupted. Other processes drive it through ``/sandbox/...`` (see ``control``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from snowbot_sandbox.server import serve_app
from snowbot_sandbox.servicenow.app import ServiceNowSandbox


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local ServiceNow sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--client-id", default="snowbot-sandbox")
    parser.add_argument("--client-secret", default="sandbox-secret")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=None,
        help="registered redirect URL (repeatable)",
    )
    parser.add_argument("--auto-consent", default=None, help="user_name to consent as")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    sb = ServiceNowSandbox()
    redirects = args.redirect_uri or ["http://127.0.0.1:3000/servicenow/oauth/callback"]
    sb.register_client(
        client_id=args.client_id, client_secret=args.client_secret, redirect_uris=redirects
    )
    sb.auto_consent_user = args.auto_consent
    async with serve_app(sb.app, host=args.host, port=args.port) as url:
        print(f"ServiceNow sandbox at {url}", flush=True)
        print(f"client_id={args.client_id}", flush=True)
        print(f"client_secret={args.client_secret}", flush=True)
        print(f"redirect_uris={','.join(redirects)}", flush=True)
        users = ", ".join(u.user_name for u in sb.users if u.active)
        print(f"users: {users}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_args(argv)))


if __name__ == "__main__":
    main()
