"""A Slack stand-in for tests and ``snowbot demo``: local Web API, signed-request driver, renderer.

Usage::

    from bot.sandbox.slack import SlackSandbox, SlackDriver, render_blocks

    slack = SlackSandbox(bot_token="xoxb-test", team_id="T0SANDBOX", clock=time.time)
    async with serve_app(slack.app) as slack_url, httpx.AsyncClient() as http:
        # the bot's AsyncWebClient: base_url=f"{slack_url}/api/", token="xoxb-test"
        driver = SlackDriver(bot_url=f"{bot_url}/slack/events", signing_secret="secret",
                             slack=slack, slack_url=slack_url, http=http)
        await driver.slash_command("/snow", "help", user_id="U0ABEL")  # -> httpx.Response (ack)
        await driver.dm("what's up with INC0010001", user_id="U0ABEL")
        call = await slack.wait_for_call("chat.postMessage")           # the bot works after ack
        print(render_blocks(call.args["blocks"]))
        await driver.press("Connect", user_id="U0ABEL")                 # newest surface with it
        await driver.submit_view({"Short description": "VPN down"}, user_id="U0ABEL")

``SlackSandbox`` (module ``webapi``; methods in ``methods``, Block Kit limits in ``limits``):
    ``app`` (Starlette: ``/api/{method}``, ``/response/{token}``), ``calls`` (``ApiCall``:
    ``method``, ``args`` with blocks/view decoded, ``response``, ``ok``, ``error``),
    ``calls_to(method)``, ``responses`` (``ResponsePost``: ``text``, ``blocks``,
    ``replace_original``, ``delete_original``, ``response_type``), ``messages``
    (``Message``), ``views``/``top_modal(user)``/``home_views``, ``visible_to(user)``,
    ``messages_in(channel)``, ``users``/``add_user(id, email=…, **flags)``,
    ``directory.add_channel(...)``, ``issue_trigger_id(user)`` (valid 3 s of ``clock``),
    ``fail_next(method, error, status=, retry_after=, delay=, times=)``,
    ``await wait_for(predicate, timeout=)``, ``await wait_for_call(method, where=, after=)``,
    ``await wait_for_response(after=)``, ``ack_problems``.
``SlackDriver`` (module ``driver``; payloads in ``interaction``):
    ``slash_command``, ``dm``, ``mention``, ``event``, ``url_verification``,
    ``app_home_opened``, ``app_uninstalled``, ``tokens_revoked``, ``user_change``,
    ``press``, ``submit_view``, ``close_view``, ``message_shortcut``; low level ``sign``,
    ``command_request``, ``event_request``, ``interaction_request``, ``send``, and for bad
    requests ``stale``, ``forged``, ``SignedRequest.altered()``/``without_signature()``.
Rendering (module ``render``): ``render_blocks(blocks, text=None)``, ``render_view(view)``,
    ``find_button(blocks, label)``, ``iter_buttons(blocks)``, ``mrkdwn_to_text``.
Seeded team ``T0SANDBOX`` and users: see ``directory``.
"""

from bot.sandbox.slack.directory import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    GENERAL_CHANNEL,
    PARTNER_TEAM_ID,
    SUPPORT_CHANNEL,
    TEAM_ID,
    SandboxUser,
    dm_channel_id,
)
from bot.sandbox.slack.driver import SignedRequest, SlackDriver
from bot.sandbox.slack.limits import check_message, check_view
from bot.sandbox.slack.records import ApiCall, Message, ResponsePost, View
from bot.sandbox.slack.render import (
    Button,
    find_button,
    iter_buttons,
    render_blocks,
    render_surface,
    render_view,
)
from bot.sandbox.slack.webapi import SlackSandbox

__all__ = [
    "APP_ID", "BOT_ID", "BOT_USER_ID", "GENERAL_CHANNEL", "PARTNER_TEAM_ID", "SUPPORT_CHANNEL",
    "TEAM_ID", "ApiCall", "Button", "Message", "ResponsePost", "SandboxUser", "SignedRequest",
    "SlackDriver", "SlackSandbox", "View", "check_message", "check_view", "dm_channel_id",
    "find_button", "iter_buttons", "render_blocks", "render_surface", "render_view",
]
