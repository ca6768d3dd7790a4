"""`maintbot run` refuses clearly without the tokens it needs."""

from __future__ import annotations

from bot.config import Settings
from bot.runner import missing_settings, run


def settings(standin=None, **values) -> Settings:
    base = {"slack_bot_token": None, "slack_signing_secret": None, "slack_app_token": None, "_env_file": None}
    if standin is not None:
        base["slack_api_url"] = standin.api_url
    return Settings(**(base | values))


def test_http_mode_needs_the_bot_token_and_the_signing_secret(services, capsys):
    code = run(settings(), services, "127.0.0.1", 0, scheduler=False)

    err = capsys.readouterr().err
    assert code == 2
    assert "HTTP mode: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET not set" in err
    assert "maintbot console" in err and "maintbot run --no-slack" in err


def test_socket_mode_is_chosen_by_the_app_token_and_needs_the_bot_token():
    assert missing_settings(settings(slack_app_token="xapp-1")) == ("Socket Mode", ["SLACK_BOT_TOKEN"])
    assert missing_settings(settings(slack_app_token="xapp-1", slack_bot_token="xoxb-1")) == ("Socket Mode", [])
    assert missing_settings(settings(slack_bot_token="xoxb-1")) == ("HTTP mode", ["SLACK_SIGNING_SECRET"])


def test_a_token_slack_refuses_stops_start_up(services, standin, capsys):
    standin.fail(method="auth.test", error="invalid_auth")

    code = run(settings(standin, slack_bot_token="xoxb-bad", slack_signing_secret="s"), services, "127.0.0.1", 0,
               scheduler=False)

    assert code == 1 and "invalid_auth" in capsys.readouterr().err
