// Talking to the JSON API: CSRF header, version numbers, and a save queue that never drops edits.

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** Send JSON; resolve to {status, body}. Network failures resolve with status 0. */
export async function sendJSON(url, method, body) {
  try {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { status: response.status, body: data };
  } catch (_) {
    return { status: 0, body: null };
  }
}

/** Queues ops and saves them in batches; on a conflict it keeps them and asks the page what to do. */
export class Saver {
  constructor({ url, version, onState, onConflict, onRejected, onSaved = () => {}, delay = 350 }) {
    Object.assign(this, { url, version, onState, onConflict, onRejected, onSaved, delay });
    this.pending = []; this.inFlight = null; this.timer = null; this.conflict = false; this.waiters = [];
  }

  /** Queue ops and schedule a save. */
  push(ops) {
    this.pending.push(...ops);
    this.onState("saving");
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.conflict) this.timer = setTimeout(() => this.flush(), this.delay);
  }

  get unsaved() { return this.pending.length + (this.inFlight ? this.inFlight.length : 0); }

  /** Send what is queued now; resolves true once everything is saved. */
  async flush() {
    clearTimeout(this.timer);
    if (this.conflict) return false;
    if (this.inFlight) return new Promise((resolve) => this.waiters.push(resolve));
    if (!this.pending.length) { this.onState("saved"); return true; }
    this.inFlight = this.pending; this.pending = [];
    const { status, body } = await sendJSON(this.url, "PUT", { version: this.version, ops: this.inFlight });
    const sent = this.inFlight; this.inFlight = null;
    if (status === 200) {
      this.version = body.version;
      this.onSaved(body);
    } else if (status === 409) {
      this.pending = sent.concat(this.pending);
      this.conflict = true;
      this.onState("conflict");
      this.onConflict(body && body.current);
    } else if (status === 422) {
      this.onRejected(body ? body.error : "The server refused an edit.", sent);
    } else {
      this.pending = sent.concat(this.pending);
      this.onState("offline");
      this.timer = setTimeout(() => this.flush(), 3000);
    }
    const waiters = this.waiters; this.waiters = [];
    const ok = status === 200 && !this.pending.length;
    if (status === 200) {
      if (this.pending.length) this.schedule(); else this.onState("saved");
    }
    waiters.forEach((resolve) => resolve(ok));
    return ok || (status === 200 ? this.flush() : false);
  }

  /** After a conflict: continue from the server's version with these ops. */
  rebase(version, ops) {
    this.version = version; this.pending = ops; this.conflict = false;
    if (ops.length) { this.onState("saving"); this.schedule(); } else this.onState("saved");
  }
}
