// Polls an import or export job's status and moves the progress bar until the job is done or failed;
// a finished export shows its download link.
// The job statuses come from the page data (annotator.vocab.JobStatus), never spelled here.
const box = document.getElementById("job");
const data = JSON.parse(document.getElementById("job-data").textContent);
const { jobStatus } = data.vocab;
const FINISHED = new Set(data.finished);

function show(job) {
  const bar = document.getElementById("job-progress");
  bar.max = Math.max(job.total, 1);
  bar.value = job.status === jobStatus.DONE ? bar.max : job.done;
  document.getElementById("job-status").textContent = job.status;
  document.getElementById("job-count").textContent = `${job.done} / ${job.total}`;
  document.getElementById("job-message").textContent = job.message;
  box.dataset.status = job.status;
  if (job.download) document.getElementById("job-download").hidden = false;
}

async function poll() {
  try {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const job = await response.json();
      show(job);
      if (FINISHED.has(job.status)) return;
    }
  } catch (error) {
    document.getElementById("job-message").textContent = `Lost contact with the server (${error.message}); retrying…`;
  }
  setTimeout(poll, 700);
}

if (box && !FINISHED.has(box.dataset.status)) poll();
