"""maintbot: maintenance announcements run from Slack, with a Waldur-compatible HTTP API."""
