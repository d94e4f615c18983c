"""Child processes that never outlive the process that started them."""

from __future__ import annotations

import contextlib
import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """For ``subprocess.Popen(preexec_fn=...)``: the kernel sends the child SIGKILL when
    its parent dies (Linux; elsewhere nothing happens). A worker killed with ``kill -9``
    then takes its worker processes and extraction children with it, instead of leaving
    them running unsupervised, with no deadline."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
