"""The domain: rules, permissions, state machine, statistics and notices. No Slack, no HTTP."""
