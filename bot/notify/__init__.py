"""Notifications: updates on a user's incidents come to them as DMs, once.

- ``changes``: what counts as a change (pure).
- ``store``: Redis state: baselines, exactly-once claims, locks, the open DM, choices,
  who hears about an incident, poll cursors and the shared poll schedule.
- ``notifier``: reads as the user, works out the changes, DMs (or edits the DM).
- ``events``: ``POST /servicenow/events`` (signed pointers from a Business Rule).
- ``poller``: polls every linked user once per ``SNOWBOT_POLL_INTERVAL`` across replicas.
- ``business_rule``: the script an admin pastes into the instance.
"""
