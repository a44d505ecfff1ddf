"""The Business Rule an admin pastes into the instance, and its test script.

Table ``incident``; When ``after``, Insert and Update, **Advanced** ticked, **Async**
(the post leaves the user's transaction); Condition
``current.comments.changes() || current.state.changes() || current.assigned_to.changes()``
(evaluated before the rule is queued, where ``changes()`` still works). The script posts
DESIGN.md's body with ``sn_ws.RESTMessageV2`` and the two headers; the HMAC is
``GlideCertificateEncryption.generateMac`` (base64 key, base64 MAC) turned into hex.
The secret lives in the system property ``snowbot.events_secret`` (private), never in
the script, so the script can be shown, reviewed and pasted without it.
"""

from __future__ import annotations

PROPERTY = "snowbot.events_secret"
CONDITION = (
    "current.comments.changes() || current.state.changes() || current.assigned_to.changes()"
)

_SEND = """function snowbotSend(payload) {
    var secret = gs.getProperty('%(property)s');
    var body = JSON.stringify(payload);
    var ts = String(Math.floor(new GlideDateTime().getNumericValue() / 1000));
    var mac = new GlideCertificateEncryption().generateMac(
        GlideStringUtil.base64Encode(secret), 'HmacSHA256', 'v1:' + ts + ':' + body);
    var bytes = GlideStringUtil.base64DecodeAsBytes(mac);
    var hex = '';
    for (var i = 0; i < bytes.length; i++) {
        var h = (bytes[i] & 0xff).toString(16);
        hex += (h.length < 2 ? '0' : '') + h;
    }
    var request = new sn_ws.RESTMessageV2();
    request.setEndpoint('%(endpoint)s');
    request.setHttpMethod('post');
    request.setRequestHeader('Content-Type', 'application/json');
    request.setRequestHeader('X-Snowbot-Request-Timestamp', ts);
    request.setRequestHeader('X-Snowbot-Signature', 'v1=' + hex);
    request.setRequestBody(body);
    request.executeAsync();
}"""


def _send(endpoint: str) -> str:
    return _SEND % {"property": PROPERTY, "endpoint": endpoint}


def business_rule_script(*, endpoint: str, team_id: str) -> str:
    """The rule's script: a pointer to the incident (the bot reads the rest itself)."""
    return (
        "(function executeRule(current, previous /*null when async*/) {\n"
        f"    {_send(endpoint).replace(chr(10), chr(10) + '    ')}\n"
        "    snowbotSend({\n"
        f"        team_id: '{team_id}',\n"
        "        table: 'incident',\n"
        "        sys_id: current.getUniqueValue(),\n"
        "        number: current.getValue('number'),\n"
        "        sys_mod_count: parseInt(current.getValue('sys_mod_count'), 10),\n"
        "        changed: ['comments', 'state', 'assigned_to']\n"
        "    });\n"
        "})(current, previous);"
    )


def test_script(*, endpoint: str, team_id: str) -> str:
    """A background script (System Definition → Scripts - Background) sending a test event."""
    return f"{_send(endpoint)}\nsnowbotSend({{team_id: '{team_id}', test: true}});"
