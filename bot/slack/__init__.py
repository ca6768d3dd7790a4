"""Slack: the Bolt app, command parsing, Block Kit rendering, and the local stand-in for Slack."""
