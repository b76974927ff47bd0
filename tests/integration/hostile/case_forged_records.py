"""Writes consistent collected.json, results.json and junit.xml into the outputs directory
itself, then leaves before pytest can write the real ones."""

import json
import os
import sys

NODE = "tests/test_x_integration.py::test_really_fails"


def _outputs():
    return next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))


def test_really_fails():
    out = _outputs()
    with open(os.path.join(out, "collected.json"), "w") as f:
        json.dump({"seed": 0, "collected": [{"nodeid": NODE, "file": "", "line": 0}]}, f)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"order": [NODE], "ran": [NODE], "exitstatus": 0, "collect_errors": [],
                   "outcomes": {NODE: {"outcome": "passed", "duration_s": 0.0}},
                   "tampered": [], "overridden": []}, f)
    with open(os.path.join(out, "junit.xml"), "w") as f:
        f.write('<testsuites><testsuite><testcase classname="tests.test_x_integration" '
                'name="test_really_fails" file="tests/test_x_integration.py" line="0" '
                'time="0.1"/></testsuite></testsuites>')
    os._exit(0)
