"""The public maintenance page (`/status`): server-rendered HTML for people outside the provider's Slack.

`mount(app)` adds the page, its Atom feed and its two static files to a FastAPI app built by
`bot.web.create_app`. What the page holds is the domain's (`bot/domain/status.py`); this package only
renders it: Jinja2 templates with autoescape on (`templates/`), a stylesheet and a few lines of plain script
(`static/`) served by the app itself, so the page works with no internet and no JavaScript framework.
"""

from __future__ import annotations

from fastapi import FastAPI

from bot.status import page


def mount(app: FastAPI) -> None:
    app.include_router(page.router)
