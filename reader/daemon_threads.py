"""An executor for the app's thread workers that never holds up quitting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

_T = TypeVar("_T")


class DaemonThreads(ThreadPoolExecutor):
    """Runs each job on a daemon thread of its own that nothing waits for at exit, so a worker busy
    for minutes (counting thousands of saved filters, say) cannot hold up `q`: asyncio's default
    executor is joined when the loop closes, and Python joins its threads again at exit.

    What the app's workers are stopped in is safe to stop: reads, or SQLite transactions that roll
    back. Textual starts a thread worker with `run_in_executor(None, ...)`, so installing this as the
    loop's default executor covers every one (asyncio takes only a ThreadPoolExecutor there: this is
    one whose own pool is never used)."""

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        future: Future[_T] = Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=work, name="reader worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: the threads end with the process."""
