// Saving edits: a queue that sends ops in batches and never drops one. The server checks each op
// on its own; refused ops are kept (with the reason) until the item is edited again. Conflicts,
// an expired CSRF token, a lost session and a lost connection all keep every op.
import { opUid } from "./store.js";

/** Send JSON; resolve to {status, body}. Network failures resolve with status 0. */
export async function sendJSON(url, method, body, token = "") {
  try {
    const response = await fetch(url, {
      method, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { status: response.status, body: data };
  } catch (_) {
    return { status: 0, body: null };
  }
}

const isCsrfError = (body) => !!(body && typeof body.error === "string" && /csrf/i.test(body.error));

export class SaveQueue {
  /**
   * url: the set's PUT endpoint; csrfUrl: GET endpoint answering {csrf_token}; version: the loaded version.
   * send(url, method, body, token) defaults to fetch; timers can be replaced in tests.
   */
  constructor({ url, csrfUrl, version, token = "", send = sendJSON, delay = 350, retryMs = 3000,
    onChange = () => {}, onSaved = () => {}, onConflict = () => {}, timers = globalThis }) {
    Object.assign(this, { url, csrfUrl, version, token, send, delay, retryMs, onChange, onSaved, onConflict, timers });
    this.pending = []; this.inFlight = null; this.refused = []; this.running = null; this.timer = null;
    this.conflict = false; this.offline = false; this.auth = null;
  }

  /** Queue ops (a newer op about an item replaces that item's refusal) and schedule a save. */
  push(ops) {
    if (!ops.length) return;
    const uids = new Set(ops.map(opUid));
    this.refused = this.refused.filter((r) => !uids.has(opUid(r.op)));
    this.pending.push(...ops);
    this.changed();
    this.schedule(this.delay);
  }

  /** What the page should say: signed-out, conflict, offline, refused, saving or saved. */
  get state() {
    if (this.auth) return "signed-out";
    if (this.conflict) return "conflict";
    if (this.offline) return "offline";
    if (this.refused.length) return "refused";
    return this.pending.length || this.inFlight ? "saving" : "saved";
  }

  /** Ops not yet accepted by the server: in flight, queued and refused (in that order). */
  unsent() { return [...(this.inFlight || []), ...this.pending, ...this.refused.map((r) => r.op)]; }

  /** The reason the server refused the last op about this item, or null. */
  refusalOf(uid) {
    const r = this.refused.find((x) => opUid(x.op) === uid);
    return r ? r.error : null;
  }

  /** Whether everything is saved and nothing refused. */
  get saved() { return this.state === "saved"; }

  schedule(ms) {
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => { this.timer = null; this.flush(); }, ms);
  }

  changed() { this.onChange(this.state, this); }

  /** Send everything queued; resolves true once all of it is saved (nothing refused or blocked). */
  flush() {
    this.timers.clearTimeout(this.timer);
    if (this.running) return this.running;
    const run = this.drain();
    this.running = run;
    run.then(() => { if (this.running === run) this.running = null; });
    return run;
  }

  async drain() {
    await null;
    while (this.pending.length && !this.conflict && !this.auth && await this.sendOnce());
    this.changed();
    return this.saved;
  }

  /** One round trip; true when the next batch may follow at once. */
  async sendOnce() {
    const sent = this.inFlight = this.pending;
    this.pending = [];
    this.changed();
    const { status, body } = await this.send(this.url, "PUT", { version: this.version, ops: sent }, this.token);
    this.inFlight = null;
    if (status === 200 || (status === 422 && body && Array.isArray(body.refused))) {
      this.offline = false;
      if (status === 200) this.version = body.version;
      this.keepRefused(sent, body.refused || []);
      if (status === 200) this.onSaved(body);
      return true;
    }
    this.pending = sent.concat(this.pending);
    if (status === 409) {
      this.conflict = true;
      this.changed();
      this.onConflict(body && body.current);
      return false;
    }
    if (status === 400 && isCsrfError(body)) return this.refreshToken();
    if (status === 401 || status === 403) { this.signedOut(status, body); return false; }
    if (status === 400 || status === 422) {  // the batch itself was refused: keep every op with the reason
      this.pending = this.pending.slice(sent.length);
      this.keepRefused(sent, sent.map((_, index) => ({ index, error: (body && body.error) || `refused (${status})` })));
      return true;
    }
    this.offline = true;
    this.schedule(this.retryMs);
    return false;
  }

  keepRefused(sent, refusals) {
    for (const r of refusals) {
      const op = sent[r.index];
      if (!op) continue;
      this.refused = this.refused.filter((x) => opUid(x.op) !== opUid(op));
      this.refused.push({ op, error: r.error, field: r.field || "" });
    }
  }

  /** Ask for a fresh CSRF token; true when we have one. */
  async refreshToken() {
    const { status, body } = await this.send(this.csrfUrl, "GET", undefined, this.token);
    if (status === 200 && body && body.csrf_token) { this.token = body.csrf_token; this.auth = null; return true; }
    if (status === 401 || status === 403 || status === 400) { this.signedOut(status === 400 ? 401 : status, body); return false; }
    this.offline = true;
    this.schedule(this.retryMs);
    return false;
  }

  /** The session is gone (or not allowed): keep everything and check again until it is back. */
  signedOut(status, body) {
    this.auth = { status, error: (body && body.error) || "" };
    this.changed();
    this.timers.clearTimeout(this.sessionTimer);
    this.sessionTimer = this.timers.setTimeout(() => this.checkSession(), this.retryMs);
  }

  /** Retry after signing in again (in another tab): fresh token, then send. */
  async checkSession() {
    this.sessionTimer = null;
    const { status, body } = await this.send(this.csrfUrl, "GET", undefined, this.token);
    if (status === 200 && body && body.csrf_token) {
      this.token = body.csrf_token;
      this.auth = null;
      this.offline = false;
      return this.flush();
    }
    this.sessionTimer = this.timers.setTimeout(() => this.checkSession(), this.retryMs);
    return false;
  }

  /** Take every unsent op out of the queue (to replay it on another version). */
  takeUnsent() {
    const ops = [...this.pending, ...this.refused.map((r) => r.op)];
    this.pending = []; this.refused = [];
    return ops;
  }

  /** After a conflict: continue from the server's version with these ops. */
  resume(version, ops) {
    this.version = version; this.conflict = false;
    this.pending = ops.concat(this.pending);
    this.changed();
    if (this.pending.length) this.schedule(0);
  }
}
