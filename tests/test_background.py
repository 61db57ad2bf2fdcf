"""LatestJob: slow views computed in a worker thread while the kernel's loop stays free, and
only the newest request drawn."""

import asyncio
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from lnhet_widgets.widgets.parts import background
from lnhet_widgets.widgets.parts.background import LatestJob


def _run(coroutine):
    # A thread of its own: Playwright's sync API can leave a loop running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_outside_a_kernel_it_computes_and_shows_at_once():
    shown, errors = [], []
    job = LatestJob("test")
    job.submit(lambda: 2, shown.append, errors.append)
    job.submit(lambda: 1 / 0, shown.append, errors.append)
    assert shown == [2]
    assert isinstance(errors[0], ZeroDivisionError)
    assert not job.busy


def test_a_drag_draws_only_the_newest_result_and_the_loop_stays_free(monkeypatch):
    async def scenario():
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(background, "_kernel_loop", lambda: loop)
        loop_thread = threading.current_thread()
        computed, shown, ticks = [], [], []

        def slow(value):
            assert threading.current_thread() is not loop_thread
            time.sleep(0.2)  # a numba kernel that releases the GIL
            computed.append(value)
            return value

        def show(value):
            assert threading.current_thread() is loop_thread  # widgets change on the loop
            shown.append(value)

        job = LatestJob("test")
        for value in range(1, 21):  # 20 requests while the first is computing
            job.submit(lambda v=value: slow(v), show, lambda e: shown.append(e))
            ticks.append(loop.time())
            await asyncio.sleep(0.002)
        while job.busy:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        # The first request ran, the newest one replaced all that waited; only it is drawn.
        assert computed[0] == 1 and computed[-1] == 20 and len(computed) <= 3
        assert shown == [20]
        # The loop was never blocked by the computation.
        assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.1

    _run(scenario())


def test_a_result_arriving_after_a_newer_request_is_dropped(monkeypatch):
    async def scenario():
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(background, "_kernel_loop", lambda: loop)
        release = threading.Event()
        shown = []
        job = LatestJob("test")
        job.submit(lambda: release.wait(2) and "old", shown.append, shown.append)
        job.submit(lambda: "new", shown.append, shown.append)
        release.set()
        while job.busy:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert shown == ["new"]

    _run(scenario())


def test_errors_reach_on_error_on_the_loop_and_cancel_drops_everything(monkeypatch):
    async def scenario():
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(background, "_kernel_loop", lambda: loop)
        shown, errors = [], []
        job = LatestJob("test")
        job.submit(lambda: int("x"), shown.append, errors.append)
        while job.busy:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert shown == [] and isinstance(errors[0], ValueError)
        job.submit(lambda: time.sleep(0.05) or "late", shown.append, errors.append)
        job.cancel()
        while job.busy:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert shown == []

    _run(scenario())
