"""Links are fixed once they exist: naming the same end again is fine, another one is refused by field."""

from __future__ import annotations

from uuid import UUID

import pytest

from bot.domain.errors import Invalid
from bot.domain.fixed_links import FIXED, require_unchanged

HERE, THERE = UUID(int=1), UUID(int=2)


def test_naming_the_same_end_again_is_fine():
    require_unchanged("offering", HERE, HERE)


def test_pointing_a_link_elsewhere_is_refused_beside_its_field():
    with pytest.raises(Invalid) as refused:
        require_unchanged("maintenance", THERE, HERE)

    assert refused.value.fields == {"maintenance": [FIXED]}
    assert "delete the link and create a new one" in FIXED
