"""The guided connection setup and its diagnosis (admins), and ``snowbot check``'s probes.

- ``diagnosis``: what the bot observed (``Observations``) → a checklist with a tick or
  a cross per step, and the likely causes ranked, most likely first (pure).
- ``causes``: the catalogue of causes and their fixes, in the admin's words.
- ``probes``: the checks the bot makes itself, before anyone signs in: does the
  instance's token endpoint answer like ServiceNow, does the sign-in page load.
- ``records``: the workspace's setup progress in Redis (no secrets).
- ``admins``: who may run setup.
- ``flow``: the connection test across Slack and the browser (probes, the admin's
  consent through the Connect flow, the retry without PKCE, the missing callback),
  with the hooks ``bot.connect`` calls for a setup-test flow.
- ``links``: the colleague's half of the test, the hook after every link (colleague
  report, admin-roles warning), and the reconnect request after an instance change.
- ``credentials``: the credentials modal's validation (pure, in the ack).
- ``views``: the few admin views ``bot.blocks`` does not have (colleague picker).
"""
