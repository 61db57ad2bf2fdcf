"""What every benchmark prints first (the machine) and how it times a call."""

from __future__ import annotations

import os
import platform
import time

import numba
import numpy as np


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what platform knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for row in handle:
                if row.startswith("model name"):
                    return row.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_machine() -> None:
    """Platform, CPU, cores, library versions and the load average at the start."""
    print(f"platform      {platform.platform()}")
    print(f"python        {platform.python_version()}")
    print(f"cpu           {cpu_model()}")
    print(f"cores         {os.cpu_count()} (numba threads {numba.get_num_threads()})")
    print(f"numba         {numba.__version__}, numpy {np.__version__}")
    print("load average  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def best_of(func, repeats):
    """Wall and CPU seconds of the fastest of ``repeats`` calls, and the last result."""
    times = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return *min(times), result
