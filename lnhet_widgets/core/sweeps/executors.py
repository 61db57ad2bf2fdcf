"""Where the cells of a sweep run: the local default, any ``concurrent.futures.Executor`` or a
``dask.distributed.Client``, driven by one code path (:func:`run_tasks`).

A Dask client is recognised by duck type (it has ``get_executor`` and ``scheduler_info``) and
used through ``client.get_executor()``, whose futures are ``concurrent.futures`` futures; so
``distributed`` is never imported here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import contextmanager

__all__ = ["batch_size_for", "local_executor", "open_executor", "run_batch", "run_tasks"]

# How often the collecting loop wakes to look at the stop event and the progress's Stop.
_POLL_S = 0.1


def local_executor(threads: bool, workers: int | None = None) -> Executor:
    """The local default: threads when the model's kernels release the GIL (no start-up, no
    pickling), else processes (``forkserver`` where there is one: it is safe in a program
    that already runs threads, e.g. a lab's background thread or a Dask client).

    Examples
    --------
    >>> pool = local_executor(threads=True, workers=2)
    >>> type(pool).__name__, pool.submit(max, 2, 3).result()
    ('ThreadPoolExecutor', 3)
    >>> pool.shutdown()
    """
    workers = workers or os.cpu_count() or 1
    if threads:
        return ThreadPoolExecutor(max_workers=workers)
    method = "forkserver" if sys.platform != "win32" else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def _is_dask_client(executor) -> bool:
    return hasattr(executor, "get_executor") and hasattr(executor, "scheduler_info")


#: Tasks per Dask worker thread: enough for the last ones to even out the load, few enough
#: that the scheduler's few milliseconds per task are spread over several cells.
TASKS_PER_DASK_THREAD = 25


def batch_size_for(executor, cells: int) -> int:
    """Cells per task: one on local pools and ``concurrent.futures`` executors (their cost per
    task is well below a millisecond), and on a Dask client as many as give
    :data:`TASKS_PER_DASK_THREAD` tasks per worker thread.

    Examples
    --------
    >>> batch_size_for(None, 900)
    1
    """
    if not _is_dask_client(executor):
        return 1
    threads = sum(executor.nthreads().values()) or 1
    return max(1, cells // (threads * TASKS_PER_DASK_THREAD))


@contextmanager
def open_executor(executor, *, threads: bool):
    """The ``concurrent.futures`` executor the cells are submitted to; one this call made is
    shut down at the end (cancelling the cells not started).

    Examples
    --------
    >>> with open_executor(None, threads=True) as pool:
    ...     pool.submit(sum, [1, 2]).result()
    3
    """
    if executor is None:
        pool = local_executor(threads)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    elif _is_dask_client(executor):
        # pure=False: every cell is its own task, never merged with an equal one in memory.
        yield executor.get_executor(pure=False)
    elif callable(getattr(executor, "submit", None)):
        yield executor
    else:
        raise ValueError("executor must be None, a concurrent.futures.Executor or a "
                         f"dask.distributed.Client, got {type(executor).__name__}")


def run_batch(function: Callable, batch) -> list:
    """Run ``function(*args)`` for each ``args`` of ``batch`` on one worker; each outcome is
    ``(True, value)`` or ``(False, exception)``, so that one failed cell keeps its batch.

    Examples
    --------
    >>> run_batch(pow, [(2, 3), (0, -1)])[0]
    (True, 8)
    """
    outcomes = []
    for args in batch:
        try:
            outcomes.append((True, function(*args)))
        except Exception as error:  # recorded per cell, like a failed single task
            outcomes.append((False, error))
    return outcomes


def run_tasks(executor: Executor, function: Callable, tasks, *, on_result: Callable,
              on_error: Callable, should_stop: Callable[[], bool],
              batch_size: int = 1) -> bool:
    """Submit ``function(*args)`` for every ``(key, args)`` of ``tasks``, hand each outcome to
    ``on_result(key, value)`` or ``on_error(key, exception)`` as it completes, and cancel
    the tasks not started once ``should_stop()`` is true; the running ones still report.

    ``batch_size`` > 1 sends that many cells per task (:func:`run_batch`): a Dask task costs
    milliseconds of scheduling, which batches spread over several cells.

    Returns True when every task ran, False after a stop or a KeyboardInterrupt (which
    warns and returns, so that the caller keeps the finished cells).

    Examples
    --------
    >>> out = {}
    >>> with ThreadPoolExecutor(2) as pool:
    ...     run_tasks(pool, pow, [("a", (2, 3)), ("b", (2, -1))], on_result=out.__setitem__,
    ...               on_error=print, should_stop=lambda: False)
    True
    >>> out
    {'a': 8, 'b': 0.5}
    """
    tasks = list(tasks)
    batches = [tasks[i:i + batch_size] for i in range(0, len(tasks), batch_size)]
    pending: dict = {}
    stopped = False
    try:
        for batch in batches:
            if should_stop():
                stopped = True
                break
            keys = [key for key, _args in batch]
            if batch_size == 1:
                future = executor.submit(function, *batch[0][1])
            else:
                future = executor.submit(run_batch, function, [args for _key, args in batch])
            pending[future] = keys
        while pending:
            if not stopped and should_stop():
                stopped = True
                for future in pending:
                    future.cancel()
            finished, _ = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for future in finished:
                keys = pending.pop(future)
                try:
                    value = future.result()
                except CancelledError:
                    continue
                except Exception as error:  # one failed cell must not lose the others
                    outcomes = [(False, error)] * len(keys)
                else:
                    outcomes = [(True, value)] if batch_size == 1 else value
                for key, (ok, payload) in zip(keys, outcomes, strict=True):
                    (on_result if ok else on_error)(key, payload)
    except KeyboardInterrupt:
        for future in pending:
            future.cancel()
        warnings.warn("sweep interrupted: the cells finished so far are kept, the others are "
                      "not computed (resume=... computes them)", RuntimeWarning, stacklevel=4)
        return False
    return not stopped
