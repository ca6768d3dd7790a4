"""A small client for Alertmanager's v2 API: list, create or update, and expire silences.

Every call has a timeout; any failure (connection refused, timeout, 5xx, an answer that is not the API's)
raises `AlertmanagerDown`, which the silence worker retries with backoff; a 400 or 422 (Alertmanager refuses the
silence itself) raises `AlertmanagerRefused`, which is not retried. Authentication is an optional
bearer token or basic auth (MAINTBOT_ALERTMANAGER_TOKEN, _USER/_PASSWORD), the same for every URL.
"""

from __future__ import annotations

from typing import Any

import httpx

TIMEOUT = httpx.Timeout(5.0, connect=3.0)


class AlertmanagerDown(Exception):
    """Alertmanager did not do what was asked (it may be down); say which and why."""


class AlertmanagerRefused(Exception):
    """Alertmanager answered 400 or 422: it refuses the silence itself (its matchers, as Alertmanager reads them).
    Asking again gives the same answer, so this is not retried; the text is what Alertmanager said."""


class Alertmanager:
    def __init__(
        self, url: str, *, token: str | None = None, basic: tuple[str, str] | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, auth=basic, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def silences(self) -> list[dict[str, Any]]:
        """Every silence Alertmanager has (active, pending and expired ones it still keeps)."""
        answer = self._call("GET", "/api/v2/silences")
        if not isinstance(answer, list):
            raise AlertmanagerDown(f"{self.url}: the silence list is not a list")
        return [s for s in answer if isinstance(s, dict)]

    def put(self, silence: dict[str, Any]) -> str:
        """Create a silence, or update the one whose `id` it names; returns its id (a new one when Alertmanager
        had to replace it, e.g. for other matchers)."""
        answer = self._call("POST", "/api/v2/silences", json=silence)
        if not isinstance(answer, dict) or not isinstance(answer.get("silenceID"), str):
            raise AlertmanagerDown(f"{self.url}: no silence id in the answer")
        return answer["silenceID"]

    def expire(self, silence_id: str) -> None:
        """Expire a silence now; one Alertmanager no longer has is as good as expired."""
        self._call("DELETE", f"/api/v2/silence/{silence_id}", missing_ok=True)

    def _call(self, method: str, path: str, *, json: Any = None, missing_ok: bool = False) -> Any:
        try:
            response = self._http.request(method, path, json=json)
        except httpx.HTTPError as error:
            raise AlertmanagerDown(f"{self.url}: {type(error).__name__}: {error}") from error
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code in (400, 422):
            raise AlertmanagerRefused(f"{self.url} refused it: {response.text[:300].strip()}")
        if response.status_code >= 300:
            raise AlertmanagerDown(f"{self.url}: {method} {path} answered {response.status_code}: "
                                   f"{response.text[:200].strip()}")
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise AlertmanagerDown(f"{self.url}: the answer is not JSON") from error
