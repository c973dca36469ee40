// A copy of each tab's unsent edits in localStorage, so a crash, a closed tab or a reload loses
// nothing. Every tab writes only its own key (its id lives in sessionStorage); a tab may adopt
// another tab's backup only once that tab has stopped refreshing it.

const PREFIX = "annotator:unsaved:";
export const STALE_MS = 30_000;

function newTabId() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }

export class Backup {
  constructor(setId, { storage = localStorage, session = sessionStorage, now = Date.now } = {}) {
    Object.assign(this, { setId, storage, session, now });
    let id = null;
    try { id = session.getItem("annotator:tab"); } catch (_) { id = null; }
    if (!id) { id = newTabId(); try { session.setItem("annotator:tab", id); } catch (_) { /* no session storage */ } }
    this.tabId = id;
  }

  get key() { return `${PREFIX}${this.setId}:${this.tabId}`; }

  /** Take a new tab id (when another open tab turns out to hold the same one). */
  renew() {
    this.tabId = newTabId();
    try { this.session.setItem("annotator:tab", this.tabId); } catch (_) { /* ignore */ }
  }

  /** Keep these ops (removes the backup when there are none). */
  write(version, ops) {
    try {
      if (ops.length) this.storage.setItem(this.key, JSON.stringify({ version, ops, at: this.now(), tab: this.tabId }));
      else this.storage.removeItem(this.key);
    } catch (_) { /* storage full or disabled: the save queue still holds the ops */ }
  }

  read(key) {
    try {
      const record = JSON.parse(this.storage.getItem(key) || "null");
      return record && Array.isArray(record.ops) && record.ops.length ? { key, ...record } : null;
    } catch (_) { return null; }
  }

  /** Backups this page may offer: its own tab's, and those of tabs that stopped refreshing theirs. */
  offers() {
    const out = [];
    const mine = this.read(this.key);
    if (mine) out.push(mine);
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (!key || !key.startsWith(`${PREFIX}${this.setId}:`) || key === this.key) continue;
      const record = this.read(key);
      if (record && this.now() - (record.at || 0) > STALE_MS) out.push(record);
    }
    return out;
  }

  /** Forget a backup this page has taken over (its own, or a stale one of a closed tab). */
  drop(key) {
    try { if (key === this.key || this.now() - ((this.read(key) || {}).at || 0) > STALE_MS) this.storage.removeItem(key); } catch (_) { /* ignore */ }
  }
}
