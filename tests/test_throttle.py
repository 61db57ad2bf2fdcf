"""The labs' Throttle inside a kernel's event loop: the first change at once, a drag at the
pace of the model, the last value always, never an older value drawn after a newer one."""

import asyncio
import itertools
from concurrent.futures import ThreadPoolExecutor

from lnhet_widgets.widgets.parts import _throttle
from lnhet_widgets.widgets.parts._throttle import Throttle


def _run(coroutine):
    # A thread of its own: earlier tests (Playwright's sync API) can leave a loop running in
    # the main thread, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_outside_a_kernel_every_change_is_computed_at_once():
    seen = []
    throttle = Throttle(lambda: seen.append(1), interval_s=10.0)
    throttle.trigger()
    throttle.trigger()
    assert seen == [1, 1]


def test_the_first_change_after_a_pause_is_computed_at_once(monkeypatch):
    async def scenario():
        monkeypatch.setattr(_throttle, "_kernel_loop", asyncio.get_running_loop)
        seen = []
        throttle = Throttle(lambda: seen.append("run"), interval_s=0.05)
        throttle.trigger()
        assert seen == ["run"]  # no wait: the leading edge
        await asyncio.sleep(0.1)
        throttle.trigger()
        assert seen == ["run", "run"]

    _run(scenario())


def test_a_drag_is_throttled_and_ends_on_the_last_value(monkeypatch):
    async def scenario():
        monkeypatch.setattr(_throttle, "_kernel_loop", asyncio.get_running_loop)
        slider = {"value": 0}
        drawn = []
        throttle = Throttle(lambda: drawn.append(slider["value"]), interval_s=0.05)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for value in range(1, 41):  # 40 changes over ~0.2 s
            slider["value"] = value
            throttle.trigger()
            await asyncio.sleep(0.005)
        dragged_s = loop.time() - start
        await asyncio.sleep(0.2)
        assert drawn[0] == 1 and drawn[-1] == 40
        assert 3 <= len(drawn) <= dragged_s / 0.05 + 2  # once per interval, not 40 times
        assert drawn == sorted(drawn)  # never an older value after a newer one

    _run(scenario())


def test_the_interval_follows_a_slow_model(monkeypatch):
    async def scenario():
        monkeypatch.setattr(_throttle, "_kernel_loop", asyncio.get_running_loop)
        loop = asyncio.get_running_loop()
        times = []

        def slow_model():
            times.append(loop.time())
            deadline = loop.time() + 0.08  # the model takes longer than the interval
            while loop.time() < deadline:
                pass

        throttle = Throttle(slow_model, interval_s=0.01)
        for _ in range(30):
            throttle.trigger()
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert gaps and min(gaps) >= 0.15  # 0.08 s of work, then 0.08 s before the next

    _run(scenario())


def test_one_slow_call_does_not_hold_the_next_change_back_for_long(monkeypatch):
    async def scenario():
        monkeypatch.setattr(_throttle, "_kernel_loop", asyncio.get_running_loop)
        monkeypatch.setattr(_throttle, "_MAX_INTERVAL_S", 0.1)
        loop = asyncio.get_running_loop()
        times, durations = [], iter([0.4, 0.0, 0.0])

        def model():  # the first call compiles (0.4 s), the others are quick
            times.append(loop.time())
            deadline = loop.time() + next(durations)
            while loop.time() < deadline:
                pass

        throttle = Throttle(model, interval_s=0.01)
        throttle.trigger()
        throttle.trigger()  # during the interval: once at its end
        await asyncio.sleep(0.3)
        assert len(times) == 2
        assert times[1] - times[0] < 0.4 + 0.2  # not 0.4 s of wait after 0.4 s of work

    _run(scenario())
