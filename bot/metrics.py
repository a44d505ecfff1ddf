"""Prometheus metrics, in a registry of their own per process (and per test).

``/metrics`` serves ``Metrics.registry`` in the Prometheus text format. Names follow
Prometheus conventions: ``snowbot_`` prefix, ``_total`` counters, ``_seconds``
histograms. Labels are small closed sets (kinds, outcomes, operations, intents,
error class names), never user ids or free text.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    """Every metric snowbot exports."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "snowbot_slack_requests_total",
            "Slack requests handled, by kind (command, event, action, view, shortcut) and outcome.",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.intents = Counter(
            "snowbot_intents_total",
            "Messages classified, by intent and decision (accept, clarify, reject).",
            ["intent", "decision"],
            registry=self.registry,
        )
        self.servicenow_latency = Histogram(
            "snowbot_servicenow_request_seconds",
            "ServiceNow call latency by operation and outcome.",
            ["operation", "outcome"],
            buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
            registry=self.registry,
        )
        self.refreshes = Counter(
            "snowbot_token_refreshes_total",
            "ServiceNow token refreshes by outcome (ok, refused, unavailable).",
            ["outcome"],
            registry=self.registry,
        )
        self.redactions = Counter(
            "snowbot_log_redactions_total",
            "Secrets masked out of log lines.",
            registry=self.registry,
        )
        self.errors = Counter(
            "snowbot_errors_total",
            "Errors that reached a user as a sentence, by error class.",
            ["error"],
            registry=self.registry,
        )
        self.redis_up = Gauge(
            "snowbot_redis_up",
            "1 when the last Redis health probe answered, else 0.",
            registry=self.registry,
        )
        self.work_in_flight = Gauge(
            "snowbot_background_work_in_flight",
            "Work started after an ack and not yet finished.",
            registry=self.registry,
        )

        self.notifications = Counter(
            "snowbot_notifications_total",
            "Notification DMs by outcome (sent, updated, deduplicated, failed).",
            ["outcome"],
            registry=self.registry,
        )
        self.servicenow_events = Counter(
            "snowbot_servicenow_events_total",
            "POST /servicenow/events by outcome (accepted, test, refused).",
            ["outcome"],
            registry=self.registry,
        )
        self.users_polled = Counter(
            "snowbot_notify_users_polled_total",
            "Linked users whose incidents were polled.",
            registry=self.registry,
        )
        self.poll_lag = Histogram(
            "snowbot_notify_poll_lag_seconds",
            "How late a user's poll started after it was due.",
            buckets=(0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
            registry=self.registry,
        )

    def observe_servicenow(self, operation: str, seconds: float, outcome: str) -> None:
        """Record one ServiceNow call (the client's observer hook)."""
        self.servicenow_latency.labels(operation=operation, outcome=outcome).observe(seconds)

    def count_redactions(self, count: int) -> None:
        """Record secrets masked by the log filter."""
        self.redactions.inc(count)

    def render(self) -> bytes:
        """The registry in the Prometheus text exposition format."""
        return generate_latest(self.registry)
