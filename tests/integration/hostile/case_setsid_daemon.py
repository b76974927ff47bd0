"""Leaves a daemon behind: a double-forked child in a session of its own writes its pid to
DAEMON_PID_FILE and, 2 s later, DAEMON_PID_FILE + '.alive'. No sandbox may let it live on.
With DAEMON_HOLD set, the test then holds the job until its deadline."""

import os
import subprocess
import sys
import time

DAEMON = """
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
path = sys.argv[1]
with open(path + '.tmp', 'w') as f:
    f.write(str(os.getpid()))
os.rename(path + '.tmp', path)
time.sleep(2)
open(path + '.alive', 'w').close()
time.sleep(600)
"""


def test_leaves_a_daemon_behind():
    path = os.environ["DAEMON_PID_FILE"]
    subprocess.run([sys.executable, "-c", DAEMON, path], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.exists(path)
    if os.environ.get("DAEMON_HOLD"):
        time.sleep(600)
