"""Local stand-ins for ServiceNow and Slack, used by the tests and ``snowbot demo``.

Both are real HTTP servers on loopback (``serve_app`` runs any ASGI app on a free
port); nothing in the bot is patched to talk to them.
"""
