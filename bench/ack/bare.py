"""``python -m bench.ack.bare PORT``: a bare Bolt AsyncApp behind Starlette and uvicorn.

The yardstick for ``python -m bench.ack``: the same stack as ``snowbot serve``
(uvicorn with the same options, Starlette, Bolt's ``AsyncSlackRequestHandler``,
signature verification on, Bolt answering when the listener returns as snowbot's app
does, a Web API client on the same Slack stand-in) with one
``/snow`` listener that acks with the same help message snowbot sends, and nothing
else: no container, no metrics, no middleware. The message is built once, before the
first request, as snowbot's listener does: the two apps do the same work per request
apart from what snowbot adds around Bolt, which is what the ratio measures.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.blocks import help_message


def build(signing_secret: str, slack_api_url: str) -> Starlette:
    """The bare app: Bolt with one command listener, mounted like snowbot's."""
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=slack_api_url)
    bolt = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=True)
    message = help_message()

    @bolt.command("/snow")
    async def snow(ack: AsyncAck, body: dict[str, Any]) -> None:
        del body
        await ack(text=message.text, blocks=message.blocks)

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def main() -> None:
    """Serve on the port given, with snowbot's uvicorn options."""
    port = int(sys.argv[1])
    app = build(os.environ["SLACK_SIGNING_SECRET"], os.environ["SLACK_API_URL"])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http="h11",  # bot.cli.HTTP_PARSER; imported, bot.cli would swell this heap
        log_config=None,
        access_log=False,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
