"""Incidents named by their words: "my printer ticket", "the vpn one", "the ticket I opened
last week about outlook".

The engine gives the naming words (``reference``: lower case, stop words out) and maybe
a period (``reference_period``). ``find_referenced`` searches the user's own incidents
(caller or opener) with one typed, cleaned ``LIKE`` clause per word on the short
description and the description, plus an ``opened_at`` range, then ranks what came back
(``rank``). One clear match is used and said back ("found by your words “printer”"); a
close call offers the top ``MAX_OFFERED`` as buttons (typed "2" works too); nothing found
says so. The bot never falls back silently to another incident.
"""

from __future__ import annotations

import logging

from bot import errors, texts
from bot.blocks.parts import escape_mrkdwn
from bot.blocks.question import nothing_found, pick_incident
from bot.handlers import dialogue
from bot.handlers.account import acting_as
from bot.servicenow.models import Incident, as_period, period_range
from bot.servicenow.query import clean_text
from bot.turn import Turn

log = logging.getLogger(__name__)

MAX_OFFERED = 3  # incidents offered when no one match is clear
MAX_WORDS = 5
SEARCH_LIMIT = 20
_TITLE_WEIGHT = 3  # a word in the short description counts more than one in the details


def search_words(reference: str) -> list[str]:
    """The distinct words of a reference that can stand as a query value (at most 5)."""
    words: list[str] = []
    for raw in reference.lower().split():
        try:
            word = clean_text(raw, max_length=40)
        except errors.UnsafeQueryValueError:
            continue
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def score(incident: Incident, words: list[str]) -> int:
    """How well an incident matches the words: title hits weigh more; open ones win ties."""
    title = incident.short_description.lower()
    details = incident.description.lower()
    total = sum(_TITLE_WEIGHT if w in title else 1 if w in details else 0 for w in words)
    return total * 2 + (1 if incident.is_open else 0)


def rank(incidents: list[Incident], words: list[str]) -> list[Incident]:
    """Best match first; equal scores keep ServiceNow's order (latest change first)."""
    return sorted(incidents, key=lambda i: -score(i, words))


async def find_referenced(
    turn: Turn, *, kind: str, words: str, period: str | None, text: str = ""
) -> str | None:
    """The number of the one incident ``words`` clearly name, told to the user; else None
    after offering the best few (or saying none of theirs is about that)."""
    client = await acting_as(turn)
    if client is None:
        return None
    terms = search_words(words)
    shown = escape_mrkdwn(" ".join(terms) or words.strip())
    found: list[Incident] = []
    when = as_period(period)
    if terms:
        opened = period_range(when, turn.now) if when is not None else None
        mine = client.record.servicenow_user.sys_id
        page = await client.incidents.search_mine(
            mine, words=terms, opened=opened, limit=SEARCH_LIMIT
        )
        found = rank(page.incidents, terms)
        if not found and when is not None:
            # The words match, the time doesn't: offer those, saying so, never pick one.
            wider = await client.incidents.search_mine(mine, words=terms, limit=SEARCH_LIMIT)
            others = rank(wider.incidents, terms)[:MAX_OFFERED]
            if others:
                period_words = texts.LIST_PERIOD_WORDS[when]
                question = texts.REFERENCE_OTHER_TIME.format(words=shown, period=period_words)
                await _offer(turn, kind=kind, text=text, question=question, offered=others)
                return None
    if not found:
        await turn.reply.private(nothing_found(texts.REFERENCE_NONE.format(words=shown)))
        return None
    if len(found) == 1 or score(found[0], terms) > score(found[1], terms):
        number = found[0].number
        line = texts.REFERENCE_FOUND.format(words=shown, number=escape_mrkdwn(number))
        await turn.reply.private(nothing_found(line, offer=False))
        return number
    offered = found[:MAX_OFFERED]
    question = texts.REFERENCE_WHICH.format(words=shown, count=len(offered))
    await _offer(turn, kind=kind, text=text, question=question, offered=offered)
    return None


async def _offer(
    turn: Turn, *, kind: str, text: str, question: str, offered: list[Incident]
) -> None:
    """Ask which of ``offered`` the user means: buttons, or a typed number."""
    asked = dialogue.ASKED_KINDS.get(kind, "lookup")
    await dialogue.ask(
        turn,
        dialogue.PendingQuestion(
            kind=asked, waiting_for="number", text=text, options=[i.number for i in offered]
        ),
        pick_incident(question, offered, intent=dialogue.INTENT_OF[asked]),
    )
