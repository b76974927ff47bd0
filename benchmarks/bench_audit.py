"""Auditor throughput: files per second over a generated corpus of test modules.

Generates N test modules (default 1000; about 100 lines each, good tests mixed with every
smell the rules look for), then measures, best of R rounds in the same run:

- baseline: ``ast.parse`` of every module (the floor: the auditor parses each file once);
- audit: ``audit_source`` with the default policy (parse, every rule family, findings);
- tree: ``audit_paths`` over the corpus written to disk (reading, conftest lookup).

Prints files/second for each and the audit's cost as a multiple of the parse baseline.

    python benchmarks/bench_audit.py [-n 1000] [-r 3]
"""

from __future__ import annotations

import argparse
import ast
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from services.auditor.engine import audit_paths, audit_source
from shared.contract import AuditPolicy

HEADER = '''"""Seam {n}: {title}.

Scope: the {svc} API and its store. Impact: {impact}. Strategy: real services.
Success criteria: every accepted request is stored exactly once.
"""

import asyncio
import time

import pytest

from {svc}.client import Client, Rejected

pytestmark = pytest.mark.timeout(60)


def assert_stored(db, key):
    row = db.fetch(key)
    assert row is not None, key


@pytest.fixture
def client(api):
    return Client(api)
'''
GOOD = [
    '''

def test_{name}_is_stored(client, db):
    """An accepted {name} is stored once."""
    key = client.create("{name}", size={i})
    assert_stored(db, key)
    assert db.count("{name}") == 1
''',
    '''

@pytest.mark.parametrize("size", [1, 2, {i}])
def test_{name}_sizes(client, size):
    """Every size of {name} is accepted."""
    for attempt in range(2):
        assert client.create("{name}", size=size + attempt).ok
''',
    '''

def test_{name}_rejected(client):
    """An invalid {name} is rejected."""
    with pytest.raises(Rejected, match="invalid"):
        client.create("{name}", size=-{i})
''',
    '''

class Test{cls}:
    """{name} lifecycle."""

    async def test_{name}_event(self, client, broker):
        """Creating a {name} publishes an event."""
        async with asyncio.timeout(5):
            await client.acreate("{name}")
            message = await broker.get("{name}")
        assert message.type == "created"

    def test_{name}_listed(self, client):
        """A created {name} is listed."""
        client.create("{name}")
        assert "{name}" in client.list()
''',
]
SMELLY = [
    """

def test_{name}_smoke(client):
    client.create("{name}")
    print("created", "{name}")
""",
    '''

def test_{name}_eventually(client, mocker):
    """Waits and branches."""
    mocker.patch("{name}.clock")
    time.sleep(0.1)
    if client.ready:
        assert client.list()
''',
    '''

def test_{name}_tolerant(client):
    """Swallows failures."""
    try:
        assert client.create("{name}").ok
    except Exception:
        pass
    assert True
''',
    '''

@pytest.mark.skip
def test_{name}_todo(client):
    """TODO: write."""
    pass
''',
]


def generate(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (path, source) test modules, deterministic for a seed."""
    rng = random.Random(seed)
    services = ["orders", "billing", "search", "carts", "ledger", "catalog", "users"]
    modules = []
    for n_file in range(n):
        svc = rng.choice(services)
        parts = [HEADER.format(n=n_file, title=f"{svc} API -> store", svc=svc, impact="lost data")]
        for i in range(rng.randint(5, 9)):
            name = f"{svc}_{i}"
            template = rng.choice(SMELLY) if rng.random() < 0.2 else rng.choice(GOOD)
            parts.append(template.format(name=name, cls=name.title().replace("_", ""), i=i + 1))
        modules.append((f"tests/{svc}/test_{svc}_{n_file}_integration.py", "".join(parts)))
    return modules


def best_of(rounds: int, work: Callable[[], object]) -> float:
    """The shortest wall-clock time of ``rounds`` runs, in seconds."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="test modules (default 1000)")
    parser.add_argument("-r", "--rounds", type=int, default=3, help="rounds, best kept")
    args = parser.parse_args()
    modules = generate(args.n)
    lines = sum(source.count("\n") for _, source in modules)
    policy = AuditPolicy()
    findings: list[int] = []

    def parse_all() -> None:
        for _, source in modules:
            ast.parse(source)

    def audit_all() -> None:
        findings[:] = [len(audit_source(path, source, policy=policy)) for path, source in modules]

    with tempfile.TemporaryDirectory(prefix="seamq-bench-audit-") as tmp:
        root = Path(tmp)
        (root / "tests").mkdir()
        (root / "tests" / "conftest.py").write_text(
            "import pytest\n\n@pytest.fixture\ndef db():\n    return None\n", encoding="utf-8"
        )
        for path, source in modules:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(source, encoding="utf-8")
        baseline = best_of(args.rounds, parse_all)
        audit = best_of(args.rounds, audit_all)
        tree = best_of(args.rounds, lambda: audit_paths([root / "tests"], policy, root))

    n = len(modules)
    print(f"corpus: {n} files, {lines} lines, {sum(findings)} findings (best of {args.rounds})")
    for label, seconds in (("ast.parse", baseline), ("audit_source", audit),
                           ("audit_paths", tree)):  # fmt: skip
        print(f"{label:>13}: {n / seconds:8.0f} files/s  ({seconds * 1000 / n:.2f} ms/file)")
    ratios = f"audit_source {audit / baseline:.1f}x, audit_paths {tree / baseline:.1f}x"
    print(f"cost vs ast.parse: {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
