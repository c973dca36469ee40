"""Browser: a job page polls while its job is queued or running and stops, bar full, once the job is done
(the job statuses come from the page data, annotator.vocab.JobStatus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e

SEED = Path(__file__).resolve().parents[1] / "data" / "seed-article.txt"


@pytest.fixture(scope="module")
def dataset(server: LiveServer) -> int:
    """An admin and a dataset of the seed article (no pre-annotation: the export is what is tested)."""
    server.add_user("job-admin", "admin")
    server.cli("import", str(SEED), "--dataset", "Jobs", "--no-preannotate")
    return int(server.python("import sqlalchemy as sa\nfrom annotator.models import Dataset\n"
                             "print(db.session.scalar(sa.select(Dataset.id).where(Dataset.name == 'Jobs')))"))


def test_export_job_page_follows_the_job_until_done(server: LiveServer, dataset: int, page: object) -> None:
    log_in(page, server, "job-admin")
    page.goto(server.url(f"/datasets/{dataset}"))  # type: ignore[attr-defined]
    page.select_option("form.export-form select[name=only]", "all")  # type: ignore[attr-defined]
    page.click("form.export-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/jobs/*")  # type: ignore[attr-defined]
    job_id = int(page.url.rstrip("/").rsplit("/", 1)[1])  # type: ignore[attr-defined]
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/api/jobs/" in r.url else None)  # type: ignore[attr-defined]
    for _ in range(100):  # at least two polls, however busy the machine (10 s at most)
        if len(polls) >= 2:
            break
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
    assert page.inner_text("#job-status") == "queued" and len(polls) >= 2  # type: ignore[attr-defined]
    assert page.locator("#job-download").is_hidden()  # type: ignore[attr-defined]

    server.python(f"from annotator.services.export_jobs import run_export_job\nrun_export_job({job_id})")
    page.wait_for_function("() => document.getElementById('job-status').textContent === 'done'")  # type: ignore[attr-defined]
    bar = page.eval_on_selector("#job-progress", "b => [b.value, b.max]")  # type: ignore[attr-defined]
    assert bar[0] == bar[1] and page.locator("#job-download").is_visible()  # type: ignore[attr-defined]
    seen = len(polls)
    page.wait_for_timeout(1600)  # type: ignore[attr-defined]
    assert len(polls) == seen, "the page kept polling a finished job"
