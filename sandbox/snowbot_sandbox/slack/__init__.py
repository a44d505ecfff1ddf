"""A Slack stand-in for tests and ``snowbot demo``: local Web API, signed-request driver, renderer.

Usage::

    from snowbot_sandbox.slack import SlackSandbox, SlackDriver, render_blocks

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

``SlackSandbox(*, bot_token="xoxb-test", team_id="T0SANDBOX", clock=time.time)`` (module
``webapi``; method answers in ``methods``, Block Kit limits in ``limits``):
    ``app`` (Starlette: ``GET|POST /api/{method}``, ``POST /response/{token}``,
    ``POST /sandbox/reset``); ``reset()`` (back to the seed, recordings cleared);
    ``calls`` (``ApiCall``: ``method``, ``args`` with blocks/view decoded, ``response``,
    ``status``, ``ok``, ``error``), ``calls_to(method)``; ``responses`` (``ResponsePost``:
    ``text``, ``blocks``, ``replace_original``, ``delete_original``, ``response_type``,
    ``status``); ``messages`` (``Message``), ``messages_in(channel)``, ``views``,
    ``top_modal(user)``, ``modal_stacks``, ``home_views``, ``visible_to(user)``
    (newest first), ``mark`` + ``changes_since(mark, user_id=)`` (what to print next);
    ``users`` / ``add_user(id, email=, real_name=, **SandboxUser flags)``,
    ``directory.add_channel(id, name, members=)``; ``issue_trigger_id(user)`` (valid 3 s
    of ``clock``), ``issue_response_url(base, channel=, user=, message=)``;
    ``fail_next(method, error|None, status=, retry_after=, delay=, times=)``;
    ``await wait_for(predicate, timeout=3)``, ``await wait_for_call(method, where=, after=,
    timeout=)``, ``await wait_for_response(after=, timeout=)``; ``ack_problems``.
    Methods: auth.test, chat.postMessage/postEphemeral/update/delete/getPermalink,
    views.open/push/update/publish, conversations.open, conversations.info, users.info,
    users.lookupByEmail;
    others answer ``unknown_method``.
``SlackDriver(*, bot_url, signing_secret, slack, slack_url, http, clock=time.time)``
    (module ``driver``; payloads in ``interaction``); each returns the bot's
    ``httpx.Response``: ``slash_command(command, text, user_id=, channel_id=)``,
    ``dm(text, user_id=, thread_ts=)``, ``mention(text, user_id=, channel_id=)``,
    ``event(event, event_id=, team_id=, retry_num=, retry_reason=)``,
    ``url_verification(challenge)``, ``app_home_opened(user_id=, tab=)``,
    ``app_uninstalled()``, ``tokens_revoked(user_ids=, bot=)``, ``user_change(user_id)``,
    ``press(label_or_action_id, user_id=)``, ``submit_view(values, user_id=, view_id=)``,
    ``close_view(user_id=)``, ``message_shortcut(callback_id, user_id=, channel_id=,
    message_ts=)``, ``global_shortcut(callback_id, user_id=)``; ``find_button(label,
    user_id=)``. Low level: ``sign(body, content_type=, timestamp=, secret=)``,
    ``command_request``, ``event_request``, ``interaction_request`` → ``SignedRequest``;
    ``send(request)``. Bad requests: ``stale(req, age=600)``, ``forged(req)``,
    ``req.altered()``, ``req.without_signature()``, ``req.with_headers(**h)``.
Rendering (module ``render``): ``render_blocks(blocks, text=None)``, ``render_view(view)``,
    ``render_surface(message_or_view)``, ``find_button(blocks, label)``,
    ``iter_buttons(blocks)``, ``mrkdwn_to_text``.
``python -m snowbot_sandbox.slack --port 8765`` serves the stand-in alone and prints calls.
Seeded team ``T0SANDBOX`` and users: see ``directory``.
"""

from snowbot_sandbox.slack.directory import (
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
from snowbot_sandbox.slack.driver import SignedRequest, SlackDriver
from snowbot_sandbox.slack.limits import check_message, check_view
from snowbot_sandbox.slack.records import ApiCall, Message, ResponsePost, View
from snowbot_sandbox.slack.render import (
    Button,
    find_button,
    iter_buttons,
    render_blocks,
    render_surface,
    render_view,
)
from snowbot_sandbox.slack.webapi import SlackSandbox

__all__ = [
    "APP_ID", "BOT_ID", "BOT_USER_ID", "GENERAL_CHANNEL", "PARTNER_TEAM_ID", "SUPPORT_CHANNEL",
    "TEAM_ID", "ApiCall", "Button", "Message", "ResponsePost", "SandboxUser", "SignedRequest",
    "SlackDriver", "SlackSandbox", "View", "check_message", "check_view", "dm_channel_id",
    "find_button", "iter_buttons", "render_blocks", "render_surface", "render_view",
]
