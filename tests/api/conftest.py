"""The API tests' fixtures (`api`, `live_server`) are in tests/conftest.py, shared with the reliability suite.

`refusal` and `BAD_TOKEN` stay importable from here for the API tests that use them.
"""

from tests.api.helpers import BAD_TOKEN, refusal

__all__ = ["BAD_TOKEN", "refusal"]
