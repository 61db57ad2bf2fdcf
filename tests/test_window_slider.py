"""The window slider sends its bounds before its value, whatever order Python's set gives."""

import pytest

from lnhet_widgets.widgets.custom._window_slider import WindowSlider


@pytest.fixture
def sent(monkeypatch):
    """The slider and the update messages it sends to the browser."""
    slider = WindowSlider(min=10.24, max=18.76, value=(10.24, 18.76))
    messages = []
    monkeypatch.setattr(slider.comm, "send",
                        lambda data=None, metadata=None, buffers=None: messages.append(data))
    return slider, messages


def test_bounds_and_step_go_before_the_value_in_any_requested_order(sent):
    slider, messages = sent
    slider.send_state(["value", "description", "max", "step", "min"])
    assert list(messages[-1]["state"]) == ["min", "max", "step", "value", "description"]


def test_a_new_range_is_one_message_with_the_bounds_first(sent):
    slider, messages = sent
    slider.set_range(-5.0, 149.95, (0.35, 149.95))
    assert len(messages) == 1
    state = messages[0]["state"]
    assert list(state)[:3] == ["min", "max", "step"] and list(state)[3] == "value"
    assert state["min"] == -5.0 and state["max"] == 149.95
    assert list(state["value"]) == [0.35, 149.95]


@pytest.mark.parametrize("low, high, value, expected", [
    (0.0, 10.0, (-3.0, 4.0), (0.0, 4.0)),  # clipped to the new bounds
    (0.0, 10.0, (12.0, 11.0), (10.0, 10.0)),
    (2.0, 2.0, (2.0, 2.0), (2.0, 2.0)),  # a single point still gets a usable width
])
def test_set_range_clips_the_value_to_the_new_bounds(sent, low, high, value, expected):
    slider, _ = sent
    slider.set_range(low, high, value)
    assert slider.value == expected
    assert slider.max > slider.min == low
