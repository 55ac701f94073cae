"""Drive the TensorFlow recorder (``runner.py --stream``) in a child process.

All files of one run share one child, so TensorFlow is imported once.  Each
file gets a time limit; a file that hangs or kills the child is reported as
such, and a new child takes the remaining files.  The child's address space
is capped where the OS allows (``resource.RLIMIT_AS``).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading

MEMORY_CAP = 16 * 1024 ** 3  # bytes of address space for the child


def _limit_memory() -> None:  # runs in the child, before it starts Python
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    except (ImportError, ValueError, OSError):
        pass


class Session:
    """One recorder child; ``record(path)`` gives that file's FileRecord."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._child = None
        self._lines: queue.Queue = queue.Queue()

    def _start(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "shapecheck.verify.runner", "--stream"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, preexec_fn=_limit_memory if os.name == "posix" else None)
        self._lines = queue.Queue()
        threading.Thread(target=self._read, args=(self._child.stdout, self._lines),
                         daemon=True).start()

    @staticmethod
    def _read(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)  # the child is gone

    def record(self, path: str) -> dict:
        """The recorder's FileRecord for ``path``, or one whose ``error`` says what went wrong."""
        if self._child is None:
            self._start()
        try:
            self._child.stdin.write(path + "\n")
            self._child.stdin.flush()
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            self.close()
            return _failed(path, f"timed out after {self.timeout:g} s")
        except (BrokenPipeError, OSError):
            line = None
        if line is None:
            code = self._child.wait()
            self._child = None
            return _failed(path, f"TensorFlow process crashed (exit status {code})")
        return json.loads(line)

    def close(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _failed(path: str, why: str) -> dict:
    return {"path": path, "error": {"type": "VerifyError", "message": why, "line": None},
            "models": [], "tensors": [], "failed": True}
