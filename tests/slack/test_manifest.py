"""manifest.yml names exactly the command, events and scopes that the code uses, and nothing more."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml
from slack_sdk import WebClient

from bot.slack.app import COMMANDS, EVENTS

ROOT = Path(__file__).resolve().parents[2]
#: The bot scopes each Web API method needs (Slack's method reference). A method missing here fails the test.
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write", "chat:write.public"},  # provider/subscribed channels may not have the bot
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_replies": {"channels:history", "groups:history"},
    "users_info": {"users:read"},
    "files_upload_v2": {"files:write"},  # the summary's chart, `/maint stats … chart`
    "conversations_open": {"im:write"},  # the direct message of `/maint stats … chart`
    "usergroups_list": {"usergroups:read"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    "auth_test": set(),
}


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def web_api_methods_used() -> set[str]:
    """Every WebClient method the app's code calls or hands around (`client.chat_update`, …)."""
    api = {name for name in dir(WebClient) if not name.startswith("_") and "_" in name}
    used = set()
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name == "standin.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in api:
                used.add(node.attr)
    return used


def test_the_manifest_names_the_command_the_code_registers():
    commands = manifest()["features"]["slash_commands"]

    assert {command["command"] for command in commands} == set(COMMANDS)
    assert all(command["should_escape"] is True for command in commands)


def test_the_manifest_subscribes_to_exactly_the_events_the_code_handles():
    assert set(manifest()["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS)


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs():
    used = web_api_methods_used()
    unknown = used - set(METHOD_SCOPES)
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES"
    needed = {"commands"} | {scope for method in used for scope in METHOD_SCOPES[method]}

    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_turns_on_socket_mode_interactivity_and_the_home_tab():
    settings, features = manifest()["settings"], manifest()["features"]

    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["bot_user"]["display_name"] == "maintbot"
    assert len(manifest()["display_information"]["long_description"]) >= 175
