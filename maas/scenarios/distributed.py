"""Running matrix tasks in-process or on dask.distributed.

* ``workers=0``: in this process, no Dask (tests, notebooks on a laptop, debugging).
* ``workers=N`` (default: the number of cores): a ``LocalCluster(n_workers=N,
  threads_per_worker=1, processes=True)`` started for the run and closed after it.
* ``scheduler="tcp://host:8786"``: an existing cluster; its workers need maas installed.

The :class:`~maas.scenarios.matrix.MatrixProblem` (compiled timetable arrays, the day's trip
activity, the places' access tables) is sent to every worker ONCE with
``client.scatter(problem, broadcast=True)``; each task only names its origin batch and
departure chunk and gets the worker's copy. Tasks return compact percentile arrays. When a
window is split into several departure chunks, the chunk results stay on the workers and one
reduce task per origin batch joins them. The task split depends only on the sizes given, so
results are identical whichever way it runs.
"""
from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Callable

import numpy as np

from maas.scenarios import matrix as mx

DEFAULT_ORIGINS_PER_TASK = 32
DEFAULT_MINUTES_PER_TASK = 60
# A LocalCluster for CPU-bound numba tasks: no statistical profiler sampling every 10 ms, no GIL
# or disk monitoring, a slower system monitor (they cost CPU the 2 cores of a laptop need).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.system-monitor.interval": "2s",
                 "distributed.admin.system-monitor.gil.enabled": False,
                 "distributed.admin.system-monitor.disk": False,
                 "distributed.worker.memory.monitor-interval": "1s",
                 "distributed.admin.tick.interval": "500ms"}


_QUIET = {"active": 0, "levels": {}}


def _quiet_logs(delta: int) -> None:
    """Keep Dask's INFO chatter off the terminal while any runner is open (restored after the last)."""
    import logging
    if delta > 0 and _QUIET["active"] == 0:
        for name in ("distributed", "bokeh", "tornado"):
            _QUIET["levels"][name] = logging.getLogger(name).level
            logging.getLogger(name).setLevel(logging.ERROR)
    _QUIET["active"] = max(0, _QUIET["active"] + delta)
    if delta < 0 and _QUIET["active"] == 0:
        for name, level in _QUIET["levels"].items():
            logging.getLogger(name).setLevel(level)
        _QUIET["levels"] = {}


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Runner:
    """Solves MatrixProblems; ``with Runner(...) as r: dense = r.solve(problem)``."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, *,
                 origins_per_task: int = DEFAULT_ORIGINS_PER_TASK,
                 minutes_per_task: int = DEFAULT_MINUTES_PER_TASK, progress: bool = False,
                 progress_factory: Callable | None = None):
        if scheduler is None and workers is None:
            workers = default_workers()
        if workers is not None and workers < 0:
            raise ValueError("workers must be >= 0")
        self.workers = workers
        self.scheduler = scheduler
        self.origins_per_task = int(origins_per_task)
        self.minutes_per_task = int(minutes_per_task)
        self.progress = progress
        self.progress_factory = progress_factory
        self.client = None
        self.cluster = None
        self.startup_s = 0.0
        self.timings: list[dict] = []
        self._warm = False

    @property
    def mode(self) -> str:
        if self.scheduler:
            return f"dask scheduler {self.scheduler}"
        if self.workers == 0:
            return "in-process"
        return f"dask LocalCluster, {self.workers} worker process(es)"

    def describe(self) -> dict:
        d = {"mode": self.mode, "origins_per_task": self.origins_per_task,
             "minutes_per_task": self.minutes_per_task, "startup_s": round(self.startup_s, 3)}
        if self.client is not None:
            d["dask_workers"] = len(self.client.scheduler_info().get("workers", {}))
        return d

    def __enter__(self) -> "Runner":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self.client is not None or (self.workers == 0 and not self.scheduler):
            return
        t0 = time.perf_counter()
        import logging

        import dask
        from dask.distributed import Client, LocalCluster
        _quiet_logs(+1)
        self._quiet = True
        try:
            if self.scheduler:
                try:
                    self.client = Client(self.scheduler, timeout="15s")
                except (OSError, ValueError) as exc:
                    from maas.errors import MaasError
                    raise MaasError(f"cannot connect to the Dask scheduler {self.scheduler}: {exc}") from None
            else:
                with dask.config.set(WORKER_CONFIG), warnings.catch_warnings():   # config is passed on to the workers
                    warnings.filterwarnings("ignore", message=r"Port \d+ is already in use")
                    self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            # load the numba kernels in every worker now, not inside the first tasks
            self.client.run(mx.warm_up)
        except BaseException:
            self.close()
            raise
        self.startup_s = time.perf_counter() - t0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.close()
        with contextlib.suppress(Exception):
            if self.cluster is not None:
                self.cluster.close()
        self.client = self.cluster = None
        if getattr(self, "_quiet", False):
            self._quiet = False
            _quiet_logs(-1)

    def _bar(self, total: int, desc: str):
        if self.progress_factory is not None:
            return self.progress_factory(total=total, desc=desc)
        from tqdm import tqdm
        return tqdm(total=total, desc=desc, unit="task", disable=not self.progress, leave=True, dynamic_ncols=True)

    def solve(self, problem: mx.MatrixProblem, desc: str | None = None) -> np.ndarray:
        """Dense int32 [3, n, n] of p25/p50/p75 (INF where the pair is beyond the cut-off)."""
        t0 = time.perf_counter()
        batches, chunks = mx.plan_tasks(problem.n_places, problem.n_departures, self.origins_per_task,
                                        self.minutes_per_task)
        desc = desc or problem.label or "matrix"
        bar = self._bar(len(batches), desc)
        results: list[dict] = []
        try:
            if self.client is None:
                mx.warm_up(problem)
                for b in batches:
                    if len(chunks) == 1:
                        results.append(mx.solve_batch(problem, b))
                    else:
                        parts = [mx.solve_chunk(problem, b, d0, d1) for d0, d1 in chunks]
                        results.append(mx.reduce_chunks(problem, b, *parts))
                    bar.update(1)
            else:
                results = self._solve_dask(problem, batches, chunks, bar)
        finally:
            bar.close()
        dense = mx.assemble(results, problem.n_places)
        self.timings.append({"label": desc, "tasks": len(batches) * len(chunks), "seconds": round(time.perf_counter() - t0, 3),
                             "task_wall_s": round(sum(r.get("wall_s", 0.0) for r in results), 3),
                             "task_cpu_s": round(sum(r.get("cpu_s", 0.0) for r in results), 3)})
        return dense

    def _solve_dask(self, problem, batches, chunks, bar) -> list[dict]:
        from dask.distributed import as_completed
        client = self.client
        shared = client.scatter(problem, broadcast=True, hash=False)   # once per problem, not per task
        if not self._warm:   # load the numba kernels in every worker with this problem's types
            workers = list(client.scheduler_info().get("workers", {}))
            client.gather([client.submit(mx.warm_up, shared, workers=[w], allow_other_workers=False, pure=False)
                           for w in workers])
            self._warm = True
        futures = []
        try:
            for b in batches:
                if len(chunks) == 1:
                    futures.append(client.submit(mx.solve_batch, shared, b, pure=False))
                else:
                    parts = [client.submit(mx.solve_chunk, shared, b, d0, d1, pure=False) for d0, d1 in chunks]
                    futures.append(client.submit(mx.reduce_chunks, shared, b, *parts, pure=False))
            results = []
            for fut in as_completed(futures):
                results.append(fut.result())
                fut.release()
                bar.update(1)
            return results
        finally:
            for f in futures:
                f.release()
            shared.release()


def solve(problem: mx.MatrixProblem, workers: int | None = 0, scheduler: str | None = None, **kw) -> np.ndarray:
    """One-shot convenience: solve one problem with a fresh runner."""
    with Runner(workers, scheduler, **kw) as r:
        return r.solve(problem)
