"""Read pytest's JUnit XML (``junit_family=xunit1``, which keeps file and line)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from shared.contract import Outcome
from shared.errors import SeamqError
from shared.files import MiB, read_capped
from shared.status import JunitCase

# Larger than any honest suite's XML (5,000 failing tests with tracebacks write ~25 MiB);
# a bigger file is refused, with its size, before it is parsed.
JUNIT_CAP = 64 * MiB

# JUnit child elements that mark a test case as not passed, worst first.
_TAGS: tuple[tuple[str, Outcome], ...] = (
    ("failure", "failed"), ("error", "error"), ("skipped", "skipped"))


class JunitError(SeamqError):
    """The JUnit file is missing or not valid XML."""


def _nodeid(classname: str, name: str, file: str) -> str:
    if not file:
        return f"{classname.replace('.', '/')}::{name}" if classname else name
    module = file[:-3] if file.endswith(".py") else file
    dotted = module.replace("/", ".")
    inner = classname[len(dotted) + 1 :] if classname.startswith(dotted + ".") else ""
    parts = [file, *(p for p in inner.split(".") if p), name]
    return "::".join(parts)


def _outcome(case: ET.Element) -> tuple[Outcome, str]:
    for tag, outcome in _TAGS:
        child = case.find(tag)
        if child is not None:
            text = (child.get("message") or "") + "\n" + (child.text or "")
            return outcome, text.strip()[-4000:]
    return "passed", ""


def parse_junit(path: Path) -> list[JunitCase]:
    """Every testcase in the file; an error element during teardown counts as error.

    Raises ``UnsafeFileError`` when the file is a link, not a regular file, or too large."""
    try:
        root = ET.fromstring(read_capped(path, JUNIT_CAP))
    except FileNotFoundError as e:
        raise JunitError(f"no JUnit file at {path.name}") from e
    except ET.ParseError as e:
        raise JunitError(f"JUnit file is not valid XML: {e}") from e
    cases: dict[str, JunitCase] = {}
    for case in root.iter("testcase"):
        file = case.get("file", "")
        nodeid = _nodeid(case.get("classname", ""), case.get("name", ""), file)
        outcome, message = _outcome(case)
        previous = cases.get(nodeid)
        if previous is not None and previous.outcome != "passed":
            # xunit1 writes a second entry for a teardown error; keep the worse outcome.
            outcome, message = previous.outcome, previous.message
        cases[nodeid] = JunitCase(
            nodeid=nodeid,
            file=file,
            line=int(case.get("line") or 0),
            outcome=outcome,
            duration_s=float(case.get("time") or 0.0),
            message=message,
        )
    return list(cases.values())
