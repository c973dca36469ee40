// A tiny test runner for the editor's ES modules, run in Chromium by tests/e2e/test_js_units.py.

const tests = [];

/** Register a test (sync or async). */
export function test(name, fn) { tests.push({ name, fn }); }

export function eq(actual, expected, what = "") {
  const a = JSON.stringify(actual), b = JSON.stringify(expected);
  if (a !== b) throw new Error(`${what ? what + ": " : ""}expected ${b}, got ${a}`);
}

export function ok(value, what = "expected a true value") { if (!value) throw new Error(what); }

/** Run every registered test; resolve to [{name, ok, error}]. */
export async function run() {
  const results = [];
  for (const { name, fn } of tests) {
    try { await fn(); results.push({ name, ok: true }); } catch (err) { results.push({ name, ok: false, error: String(err && err.stack || err) }); }
  }
  return results;
}

/** Timers run by hand: tick() fires what is due, one at a time, in order. */
export class FakeTimers {
  constructor() { this.now = 0; this.queue = []; this.next = 1; }
  setTimeout(fn, ms) { const id = this.next++; this.queue.push({ id, at: this.now + (ms || 0), fn }); return id; }
  clearTimeout(id) { this.queue = this.queue.filter((t) => t.id !== id); }
  get pending() { return this.queue.length; }
  /** Fire the earliest timer; return false when none is left. */
  async tick() {
    if (!this.queue.length) return false;
    this.queue.sort((a, b) => a.at - b.at);
    const t = this.queue.shift();
    this.now = Math.max(this.now, t.at);
    await t.fn();
    await settle();
    return true;
  }
}

/** Let pending promise callbacks run. */
export async function settle() { for (let i = 0; i < 20; i++) await Promise.resolve(); }

/** A Storage-like object in memory. */
export class MemoryStorage {
  constructor() { this.map = new Map(); }
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}
