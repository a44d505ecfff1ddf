"""What a message says besides its intent: list filters, references by words, the incident
already in the conversation, the field asked about, and what an unanswerable message is about.

``describe`` fills the keys the bot reads besides the intent (``Prediction.entities``:
``list_state``, ``list_period``, ``list_scope``, ``list_count``, ``reference``,
``reference_period``, ``goods``; ``Prediction.hints``: ``context_reference``, ``field``,
``topic``), each only for the intents it belongs to, so an absent key always means "not said":

- a list of the user's incidents (``incident.list_mine``): its state ("closed"), period
  ("last month"), scope ("assigned to me", "my team's") and whether it asks "how many";
- an incident named without a number (lookup, comment, close, reopen): the words that name it
  ("my printer ticket" → ``printer``, "the ticket I opened last week about outlook" →
  ``outlook`` and ``reference_period`` ``last_week``), else ``context_reference`` when nothing in
  the message names one of the user's incidents ("close it", "what's the priority?");
- the field a lookup asks about ("who is it assigned to?" → ``assignee``);
- a thing asked for in a create ("a ticket for a new laptop" → ``goods``);
- the ``topic`` of an out-of-scope message (``password_reset``, ``vpn``, ``catalog``,
  ``human``, ``other_record``), of ``help`` (``identity``: "who are you") and of
  ``feedback.give`` (``complaint``).

Everything is set and dictionary look-ups over the message's tokens (``intents.negation.
tokens``), in one pass or a few: no pattern beyond the linear tokeniser.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from intents import labels
from intents.entities import PLACEHOLDER
from intents.negation import is_negator, tokens

#: Intents about one incident: a message without a number names it in words, or means
#: the one already in the conversation.
REFERRING_INTENTS: Final = frozenset(
    {labels.LOOKUP, labels.COMMENT, labels.CLOSE, labels.REOPEN}
)
#: The intents ``describe`` has something to say about.
_DESCRIBED: Final = REFERRING_INTENTS | {
    labels.LIST_MINE, labels.CREATE, labels.HELP, labels.FEEDBACK, labels.OUT_OF_SCOPE
}
_REFERENCE_WORDS: Final = 4  # words of a reference kept at most
_REFERENCE_REACH: Final = 10  # tokens after the head word searched for "about …"

_STATES: Final[dict[str, str]] = {
    "open": "open", "active": "open", "pending": "open", "ongoing": "open",
    "outstanding": "open", "unresolved": "open", "progress": "open", "current": "open",
    "resolved": "resolved", "solved": "resolved", "fixed": "resolved",
    "closed": "closed", "finished": "closed", "done": "closed", "cancelled": "closed",
    "canceled": "closed", "old": "closed", "past": "closed", "completed": "closed",
    "all": "all", "every": "all", "everything": "all", "ever": "all",
}
_PERIOD_UNITS: Final = frozenset({"week", "month"})
_THIS: Final = frozenset({"this", "current"})
_LAST: Final = frozenset({"last", "past", "previous", "prior"})
_DAY_PARTS: Final = frozenset({"morning", "afternoon", "evening"})
_TODAY: Final = frozenset({"today", "today's", "todays", "tonight"})
_ME: Final = frozenset({"i", "i've", "ive", "we", "we've"})
_RAISE_VERBS: Final = frozenset(
    {
        "raise", "raised", "open", "opened", "create", "created", "log", "logged", "file",
        "filed", "submit", "submitted", "report", "reported", "made", "started", "put",
    }
)
_GROUP_WORDS: Final = frozenset({"team", "team's", "teams", "group", "groups", "group's", "queue"})
_HEADS: Final = frozenset(
    {"ticket", "tickets", "incident", "incidents", "case", "one", "issue", "problem", "inc"}
)
_DETERMINERS: Final = frozenset({"my", "the", "that", "this", "our", "your", "those", "these"})
_REFERENCE_PREPOSITIONS: Final = frozenset(
    {"about", "regarding", "re", "concerning", "for", "with", "on"}
)
#: Words that never name what an incident is about (articles, pronouns, filler, states,
#: time words, the bot's own verbs).
_NOT_A_NAME: Final = frozenset(
    {
        "a", "an", "the", "my", "our", "your", "this", "that", "these", "those", "it", "its",
        "me", "i", "you", "we", "they", "them", "he", "she", "him", "her", "his", "their",
        "latest", "last", "recent", "most", "newest", "new", "old", "older", "oldest", "other",
        "previous", "first", "second", "third", "same", "current", "open", "opened", "closed",
        "resolved", "pending", "active", "one", "ones", "ticket", "tickets", "incident",
        "incidents", "case", "issue", "problem", "please", "pls", "plz", "thanks", "thx",
        "today", "yesterday", "week", "month", "year", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "morning", "afternoon", "again", "now",
        "still", "yet", "ago", "some", "any", "all", "of", "to", "in", "at", "by", "from",
        "and", "or", "but", "so", "is", "was", "are", "be", "been", "it's", "that's", "which",
        "who", "what", "when", "where", "how", "why", "saying", "says", "said", "say",
        "raised", "logged", "created", "submitted", "filed", "reported", "about", "regarding",
        "re", "for", "with", "on", "just", "too", "as", "well", "there", "here", "up", "out",
        "inc", PLACEHOLDER, "few", "couple", "days", "weeks", "months",
    }
)
#: Words that say which of the user's own incidents is meant without the conversation,
#: alone ("my latest") or before a head word ("my ticket", "our incident").
_OWN: Final = frozenset({"mine", "latest", "newest", "recent", "recently"})
_POSSESSIVES: Final = frozenset({"my", "our"})
_OWN_REACH: Final = 3  # tokens from "my" to its head word ("my old laptop ticket")
_GOODS: Final = frozenset(
    {
        "laptop", "monitor", "screen", "keyboard", "mouse", "headset", "headphones",
        "phone", "mobile", "iphone", "ipad", "tablet", "desktop", "computer", "pc", "macbook",
        "mac", "webcam", "camera", "dock", "docking", "charger", "cable", "adapter", "adaptor",
        "printer", "chair", "desk", "badge", "license", "licence", "software", "speaker",
        "speakers", "microphone", "sim", "tok", "yubikey", "battery", "bag",
    }
)
_GOODS_MODIFIERS: Final = frozenset(
    {"new", "second", "replacement", "spare", "another", "extra", "additional", "bigger",
     "better", "faster", "loaner", "2nd"}
)
_ASKING_FOR: Final = frozenset(
    {"for", "need", "want", "like", "get", "order", "request", "requesting", "receive",
     "needs", "wants"}
)
_ARTICLES: Final = frozenset({"a", "an", "some", "one"})
_IDENTITY_WORDS: Final = frozenset(
    {"bot", "robot", "human", "real", "person", "ai", "chatbot", "machine", "computer",
     "program", "automated"}
)
_IDENTITY_ENDS: Final = frozenset({"exactly", "really", "actually", "anyway"})
_PASSWORD: Final = frozenset({"password", "passwords", "passwd", "pwd", "passcode"})
_RESET: Final = frozenset(
    {"reset", "forgot", "forgotten", "change", "changed", "expired", "expire", "expires",
     "locked", "unlock", "new", "recover", "lost", "renew"}
)
_CATALOG: Final = frozenset({"catalog", "catalogue", "buy", "purchase", "procure", "purchasing"})
_ORDER: Final = frozenset({"order", "ordered", "ordering", "orders"})
_PEOPLE: Final = frozenset(
    {"human", "humans", "person", "people", "someone", "somebody", "agent", "operator",
     "representative", "rep", "technician", "tech"}
)
_TALK: Final = frozenset(
    {"talk", "speak", "chat", "call", "connect", "transfer", "escalate", "reach"}
)
_COMPLAINTS: Final = frozenset(
    {
        "terrible", "awful", "horrible", "bad", "worst", "useless", "slow", "ridiculous",
        "unacceptable", "frustrated", "frustrating", "annoyed", "annoying", "disappointed",
        "disappointing", "poor", "angry", "thumbsdown", "rubbish", "pathetic", "nobody",
        "ignored", "ignoring", "hate", "sucks", "crap", "incompetent", "lousy", "joke",
        "shocking", "appalling", "dreadful", "furious", "waited", "waiting", "complaint",
        "complain", "fed", "worse", "unhelpful", "abysmal", "disgrace", "disgraceful",
    }
)
_FIELDS: Final[dict[str, str]] = {
    "priority": "priority", "prio": "priority", "urgency": "priority", "impact": "priority",
    "state": "state",
    "assignee": "assignee", "assigned": "assignee", "owner": "assignee",
    "handling": "assignee",
    "updated": "updated", "touched": "updated", "changed": "updated", "modified": "updated",
    "comment": "comments", "comments": "comments", "commented": "comments", "say": "comments",
    "said": "comments", "says": "comments", "replied": "comments", "reply": "comments",
    "replies": "comments", "notes": "comments", "wrote": "comments", "write": "comments",
}
_WHO: Final = frozenset({"who", "who's", "whos", "whom"})
_WHICH: Final = frozenset({"which", "what", "whose", "the", "its", "what's", "whats"})
_ASKING: Final = frozenset(
    {"what", "what's", "whats", "did", "has", "have", "any", "anything", "anyone", "who", "was"}
)
_SAID: Final = frozenset({"say", "said", "says", "wrote", "write"})
_WHO_HAS: Final = frozenset({"working", "has", "handling", "owns", "assigned", "looking", "got"})
_UPDATE_WORDS: Final = frozenset({"updated", "update", "touched"})


def _word(tok: str) -> bool:
    return tok[0].isalnum()


def list_period(toks: Sequence[str]) -> str | None:
    """``today``, ``this_week``, ``last_week``, ``this_month`` or ``last_month``, or None."""
    for at, tok in enumerate(toks):
        if tok in _TODAY or (tok in _DAY_PARTS and at and toks[at - 1] == "this"):
            return "today"
        if tok in _PERIOD_UNITS and at:
            before = toks[at - 1]
            if before in _THIS:
                return f"this_{tok}"
            if before in _LAST:
                return f"last_{tok}"
    return None


def list_state(toks: Sequence[str]) -> str | None:
    """``open``, ``resolved``, ``closed`` or ``all``: a named state beats "all"."""
    found: str | None = None
    for at, tok in enumerate(toks):
        state = _STATES.get(tok)
        if state is None:
            continue
        before = toks[at - 1] if at else ""
        if tok == "open" and before in _ME:
            continue  # "tickets I open(ed)": who raised them, not their state
        if tok in ("past", "last") and at + 1 < len(toks) and toks[at + 1] in _PERIOD_UNITS:
            continue  # "past week" is a period
        if tok == "ever" and before not in _ME:
            continue
        if before in ("not", "un") or (before and is_negator(before)):
            state = "open" if state in ("closed", "resolved") else state
        if state != "all":
            return state
        found = found or state
    return found


def list_scope(toks: Sequence[str]) -> str | None:
    """``groups`` (my team's), ``assigned`` (assigned to me) or ``raised`` (raised by me)."""
    for at, tok in enumerate(toks):
        before = toks[at - 1] if at else ""
        after = toks[at + 1 : at + 3]
        if tok in _GROUP_WORDS and (before in ("my", "our", "assignment") or "my" in after):
            return "groups"
        if tok == "assigned" and ("me" in after or "myself" in after or before in (
            "i'm", "im", "am", "i", "were", "are", "we're"
        )):
            return "assigned"
        if tok == "assignments" and before == "my":
            return "assigned"
        if tok == "working" and before in ("i'm", "im", "am", "i", "we're"):
            return "assigned"
        if tok in _RAISE_VERBS and (
            before in _ME
            or (before == "have" and tok != "open" and at > 1 and toks[at - 2] in _ME)
            or after[:2] == ["by", "me"]
        ):
            return "raised"
    return None


def _is_count(toks: Sequence[str]) -> bool:
    return any(
        (t == "how" and toks[i + 1 : i + 2] == ["many"]) or t in ("count", "tally")
        or (t == "number" and toks[i + 1 : i + 2] == ["of"])
        for i, t in enumerate(toks)
    )


def _names(toks: Sequence[str], start: int, end: int) -> list[str]:
    return [t for t in toks[start:end] if _word(t) and t not in _NOT_A_NAME]


def reference(toks: Sequence[str]) -> str | None:
    """The words that name an incident without a number ("my printer ticket" → printer).

    Before a head word ("ticket", "one", "issue"), the words back to a determiner or a
    preposition ("my vpn ticket", "on printer ticket"); else the words after "about",
    "regarding", "for", "with" that follow it ("the ticket I opened last week about
    outlook"), up to the end of the clause.
    """
    for at, tok in enumerate(toks):
        if tok not in _HEADS:
            continue
        start = at
        while start and at - start < _REFERENCE_WORDS and _word(toks[start - 1]) and (
            toks[start - 1] not in _DETERMINERS and toks[start - 1] not in _REFERENCE_PREPOSITIONS
        ):
            start -= 1
        bounded = start and (
            toks[start - 1] in _DETERMINERS or toks[start - 1] in _REFERENCE_PREPOSITIONS
        )
        before = _names(toks, start, at) if bounded else []
        if before:
            return " ".join(before)
        if not (at and toks[at - 1] in _DETERMINERS) and tok != "one":
            continue
        for after in range(at + 1, min(len(toks), at + 1 + _REFERENCE_REACH)):
            if not _word(toks[after]):
                break
            if toks[after] in _REFERENCE_PREPOSITIONS:
                end = after + 1
                while end < len(toks) and _word(toks[end]) and end - after <= 6:
                    end += 1
                words = _names(toks, after + 1, end)[:_REFERENCE_WORDS]
                if words:
                    return " ".join(words)
                break
    return None


def field(toks: Sequence[str]) -> str | None:
    """The incident field a question asks about ("what's the priority?" → priority)."""
    words = frozenset(toks)
    if toks and toks[0] in _WHO and words & _WHO_HAS:
        return "assignee"
    updated = bool(words & _UPDATE_WORDS)
    asked = False  # a question word came before: "what did beth say", not "i said"
    for at, tok in enumerate(toks):
        after = toks[at + 1 : at + 2]
        before = toks[at - 1] if at else ""
        asked = asked or tok in _ASKING
        if tok == "assignment" or (tok in ("group", "team", "queue") and before in _WHICH):
            return "assignment_group"
        if tok == "assigned" and after in (["group"], ["team"]):
            return "assignment_group"
        if tok in ("update", "activity") and at and toks[at - 1] in ("last", "latest"):
            return "updated"
        if tok == "when" and updated:
            return "updated"
        found = _FIELDS.get(tok)
        if found and (asked or tok not in _SAID):
            return found
    return None


def goods(toks: Sequence[str]) -> str | None:
    """The thing a create asks for ("a ticket for a new laptop" → laptop), or None."""
    for at, tok in enumerate(toks):
        if tok not in _GOODS:
            continue
        back = at - 1
        if back >= 0 and toks[back] in _GOODS_MODIFIERS:
            back -= 1
        if back >= 0 and toks[back] in _ARTICLES:
            back -= 1
        if back >= 0 and back < at - 1 and toks[back] in _ASKING_FOR:
            return tok
    return None


#: "How are you?" and its kin, as whole messages: small talk, never a question about an
#: incident (the "it" of "how's it going" points at nothing).
_SMALL_TALK: Final = frozenset(
    {
        ("how's", "it", "going"), ("how", "is", "it", "going"), ("hows", "it", "going"),
        ("how", "are", "you"), ("how", "are", "you", "doing"), ("how", "r", "u"),
        ("how", "are", "things"), ("how's", "things"), ("how's", "everything"),
        ("how", "is", "everything"), ("how's", "your", "day"), ("what's", "up"),
        ("how", "have", "you", "been"), ("how", "you", "doing"),
    }
)
_SMALL_TALK_EXTRAS: Final = frozenset(
    {"hi", "hey", "hello", "yo", "good", "morning", "afternoon", "evening", "there",
     "snowbot", "today", "mate", "buddy", "so"}
)


def is_small_talk(toks: Sequence[str]) -> bool:
    """Whether the whole message is a "how are you?" ("hey, how's it going today?")."""
    words = tuple(t for t in toks if _word(t) and t not in _SMALL_TALK_EXTRAS)
    return words in _SMALL_TALK


def asks_who_the_bot_is(toks: Sequence[str]) -> bool:
    """Whether the tokens ask who or what the bot is ("who are you", "are you a bot?")."""
    for at, tok in enumerate(toks):
        following = toks[at + 1 : at + 5]
        if tok in ("who", "what") and following[:2] == ["are", "you"]:
            rest = following[2:3]  # the next tok: none, a mark, or "exactly" ends it
            if not rest or not _word(rest[0]) or rest[0] in _IDENTITY_ENDS:
                return True
        if tok == "are" and following[:1] in (["you"], ["u"]) and any(
            t in _IDENTITY_WORDS for t in following[1:]
        ):
            return True
        if tok == "talking" and following[:1] == ["to"] and any(
            t in _IDENTITY_WORDS for t in following[1:]
        ):
            return True
    return False


def _out_of_scope_topic(toks: Sequence[str]) -> str | None:
    words = frozenset(toks)
    if asks_who_the_bot_is(toks):
        return "identity"
    if words & _PASSWORD and words & _RESET:
        return "password_reset"
    if "vpn" in words:
        return "vpn"
    if words & _CATALOG or goods(toks) or (words & _ORDER and words & _GOODS):
        return "catalog"
    if "human" in words or ("real" in words and words & _PEOPLE) or (
        words & _TALK and words & _PEOPLE
    ) or {"live", "agent"} <= words:
        return "human"
    return None


def _complaint(toks: Sequence[str]) -> bool:
    for at, tok in enumerate(toks):
        if tok in _COMPLAINTS and not (at and is_negator(toks[at - 1])):
            return True
        if tok == "no" and toks[at + 1 : at + 2] in (["one"], ["answer"], ["response"]):
            return True
    return False


def _names_own(toks: Sequence[str]) -> bool:
    """Whether the words name one of the user's own incidents ("my ticket", "my latest");
    "my comment" or "my printer works" do not."""
    return list_scope(toks) == "raised" or any(
        tok in _OWN
        or (tok in _POSSESSIVES and _HEADS.intersection(toks[at + 1 : at + 1 + _OWN_REACH]))
        for at, tok in enumerate(toks)
    )


def _list_entities(toks: Sequence[str]) -> dict[str, str]:
    found = {
        "list_state": list_state(toks),
        "list_period": list_period(toks),
        "list_scope": list_scope(toks),
        "list_count": "1" if _is_count(toks) else None,
    }
    return {key: value for key, value in found.items() if value}


def _topic(intent: str, toks: Sequence[str], *, other_record: bool) -> str | None:
    if intent == labels.HELP:
        return "identity" if asks_who_the_bot_is(toks) else None
    if intent == labels.FEEDBACK:
        return "complaint" if _complaint(toks) else None
    if intent == labels.OUT_OF_SCOPE:
        return "other_record" if other_record else _out_of_scope_topic(toks)
    return None


def describe(
    intent: str,
    text: str,
    *,
    numbered: bool,
    other_record: bool,
    entities: dict[str, str],
    hints: dict[str, str],
) -> None:
    """Add the entities and hints the bot reads for a message read as ``intent``.

    ``text`` is the normalised message, ``numbered`` whether it names an incident by a
    number (exact or a shorter form), ``other_record`` whether it names another record.
    """
    if intent not in _DESCRIBED:
        return
    toks = tokens(text.lower())
    if intent == labels.LIST_MINE:
        entities.update(_list_entities(toks))
    elif intent == labels.CREATE:
        thing = goods(toks)
        if thing:
            entities["goods"] = thing
    elif intent in REFERRING_INTENTS:
        asked = field(toks) if intent == labels.LOOKUP else None
        if asked:
            hints["field"] = asked
        if numbered:
            return
        named, period = reference(toks), list_period(toks)
        if named:
            entities["reference"] = named
        if period:
            entities["reference_period"] = period
        if not named and not period and not _names_own(toks):
            hints["context_reference"] = "1"
    else:
        topic = _topic(intent, toks, other_record=other_record)
        if topic:
            hints["topic"] = topic
