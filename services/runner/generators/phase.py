"""The generate phase of a seam job: brief the generator and return what it wrote."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from services.runner.generators import make_generator
from services.runner.generators.brief import render_brief
from shared.contract import JobResult, JobStatus, SeamJob
from shared.errors import SandboxError, UsageError
from shared.project import materialize, prepare, safe_relpath


def generate_seam(job: SeamJob, cache_dir: Path, worker: str, *, llm_base_url: str,
                  llm_api_key: str) -> JobResult:
    """Run the job's generator in a throwaway copy of the project."""
    started = time.monotonic()

    def result(status: JobStatus, reason: str = "", *, infrastructure: bool = False,
               logs_tail: str = "", generated_path: str | None = None,
               generated_content: str | None = None, scaffold: bool = False) -> JobResult:
        return JobResult(
            job_id=job.job_id, run_id=job.run_id, kind="seam", phase="generate",
            seam_id=job.seam.id, attempt=job.attempt, status=status,
            reason=reason, worker=worker, duration_s=round(time.monotonic() - started, 3),
            infrastructure=infrastructure, logs_tail=logs_tail, generated_path=generated_path,
            generated_content=generated_content, scaffold=scaffold,
        )

    try:
        generator = make_generator(job.generator, llm_base_url=llm_base_url,
                                   llm_api_key=llm_api_key)
    except UsageError as e:
        return result("error", str(e), infrastructure=True)
    if generator is None:
        return result("error", "no generator is configured for this run", infrastructure=True)
    try:
        project = materialize(job.project, cache_dir)
        rel = str(safe_relpath(job.seam.output_file))
        with tempfile.TemporaryDirectory(prefix="seamq-gen-") as tmp:
            workspace = prepare(project, Path(tmp) / "project")
            output = workspace / rel
            output.unlink(missing_ok=True)
            output.parent.mkdir(parents=True, exist_ok=True)
            brief = render_brief(job, workspace, rel)
            outcome = generator.generate(job, workspace, output, brief)
    except SandboxError as e:
        return result("error", str(e), infrastructure=True)
    if not outcome.ok or outcome.content is None:
        return result("error", outcome.reason or "generator failed", logs_tail=outcome.log_tail)
    return result("generated", "scaffold only" if outcome.scaffold else "",
                  generated_path=rel, generated_content=outcome.content,
                  scaffold=outcome.scaffold, logs_tail=outcome.log_tail)
