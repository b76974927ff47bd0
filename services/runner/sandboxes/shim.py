"""The intermediary between the runner and a local job's command.

The local sandbox does not start the command itself: it starts this program (its text, with
``python -I -S -c``) in the job's environment, which holds no secret of the runner's. The
shim forks, the child execs the command, the shim waits and ends the same way: the same exit
code, or killed by the same signal. So the command's parent (``/proc/$PPID/environ``) is the
shim, not the runner. An exec that fails is written to ``ERRFD`` (closed on a successful
exec) for the runner to report.

Usage: ``python -I -S -c SOURCE ERRFD COMMAND [ARG...]``; any Python from 3.9 runs it.
"""

import contextlib
import os
import signal
import sys


def main() -> None:
    errfd, argv = int(sys.argv[1]), sys.argv[2:]
    os.set_inheritable(errfd, False)
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(errfd, str(e).encode("utf-8", "replace"))
        os._exit(127)
    os.close(errfd)
    for ignored in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(ignored, signal.SIG_IGN)  # the runner ends the job with SIGKILL
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


if __name__ == "__main__":
    main()
