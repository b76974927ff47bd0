"""``seamq run --metrics-port``: the embedded host exports the same metrics as the services.

The run goes through the embedded host in-process (memory broker, local sandbox) so that
the endpoint can be scraped once the run has finished, before it closes.
"""

from __future__ import annotations

import textwrap
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry

from services.cli.arguments import build_parser
from services.cli.embedded import Embedded
from services.cli.middleware import middleware_list
from services.cli.options import build_request
from services.runner.sandboxes.pool import SandboxPool
from shared.brokers.memory import InMemoryBroker
from shared.metrics import Metrics
from shared.settings import Settings

PLAN = """# Demo plan

### SEAM 1: Demo seam
- **Priority**: P0
- **Integration Scope**: addition
- **Output File**: `test_one_integration.py`
"""

TEST = '''
"""Seam 1: demo component."""


def test_adds():
    """Scope: addition. Success: the sum is right."""
    assert 1 + 1 == 2
'''


def _project(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    (root / "tests" / "test_one_integration.py").write_text(textwrap.dedent(TEST))
    plan = root / "tests" / "TEST_PLAN.md"
    plan.write_text(PLAN)
    return plan


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        body: bytes = reply.read()
    return body.decode()


async def test_an_embedded_run_exports_job_test_and_seam_metrics(tmp_path: Path) -> None:
    settings = Settings(state_dir=str(tmp_path / "state"), cache_dir=str(tmp_path / "cache"))
    plan = _project(tmp_path / "demo")
    args = build_parser(settings).parse_args(
        ["run", str(plan), "--sandbox", "local", "--repeats", "1", "--skip-validation",
         "--metrics-port", "0"])
    request = build_request(args)
    metrics = Metrics(CollectorRegistry(), service="embedded")
    pool = SandboxPool(lambda text: None)
    embedded = Embedded(broker=InMemoryBroker(), settings=settings, sandbox_for=pool,
                        middleware=middleware_list(metrics), concurrency=1, seed=1)

    with metrics.serve(args.metrics_port, host="127.0.0.1") as server:
        try:
            report = await embedded.run(request)
        finally:
            pool.close()
        text = _scrape(server.port)

    assert report.status == "passed", report
    assert 'seamq_jobs_total{kind="seam_execute",outcome="passed"} 1.0' in text
    assert 'seamq_jobs_total{kind="audit",outcome="clean"} 1.0' in text
    assert 'seamq_jobs_total{kind="seam_execute",outcome="failed"} 0.0' in text
    assert ('seamq_messages_handled_total{outcome="ok",queue="results",service="coordinator"}'
            in text)
    # The local sandbox records its start time: one observation per pytest process.
    assert "seamq_sandbox_start_seconds_count 1.0" in text
    assert 'seamq_tests_total{outcome="passed"} 1.0' in text
    assert 'seamq_seams_total{priority="P0",status="passed"} 1.0' in text
    assert 'service="embedded"' in text
