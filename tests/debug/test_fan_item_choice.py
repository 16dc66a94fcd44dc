"""Which item of a fan-out `--item` names when item indexes and values are both numbers (with_items=[1, 2, 3])."""

from __future__ import annotations

import pytest

from dhhera_jupyter.errors import BadRequest
from dhhera_jupyter.platform.step_debug import FanItem, _choose_item

ITEMS = [FanItem(index=i, value=str(i + 1), phase="Succeeded", node={"id": f"n{i}"}) for i in range(3)]


def _pick(item: str) -> int:
    chosen = _choose_item(ITEMS, item, None, "r1", "each")
    assert chosen is not None
    return chosen.index


def test_an_index_that_is_also_another_items_value_is_refused_naming_both_and_the_way_to_say_each() -> None:
    with pytest.raises(BadRequest) as refused:
        _pick("1")
    assert str(refused.value) == (
        "Step 'each' of run r1: item '1' is item 1 (2) by index but the value of item 0; say the index with a "
        "leading '#' (`--item #1`) or the value as '=1'."
    )
    assert (_pick("#1"), _pick("=1")) == (1, 0)


def test_an_index_or_a_value_that_names_one_item_picks_it() -> None:
    assert _pick("3") == 2  # no item 3 by index: the value 3
    assert _pick("0") == 0  # no value 0: item 0
