// The save queue (200, refused ops, 422, conflict, CSRF expiry, lost session, offline) and per-tab backups.
import { test, eq, ok, FakeTimers, MemoryStorage, settle } from "./harness.js";
import { SaveQueue } from "/static/js/savequeue.js";
import { Backup, STALE_MS } from "/static/js/backup.js";

const up = (uid, label = "ORG") => ({ op: "upsert", layer: "entities", item: { uid, start: 0, end: 3, label } });

/** A fake server: answers from a script of responses, records every request. */
function server(...answers) {
  const calls = [];
  const send = async (url, method, body, token) => {
    calls.push({ url, method, body, token });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected ${method} ${url}`);
    return typeof next === "function" ? next(body) : next;
  };
  return { send, calls };
}

function queue(srv, extra = {}) {
  const timers = new FakeTimers();
  const states = [];
  const q = new SaveQueue({ url: "/api/sets/1", csrfUrl: "/api/csrf", version: 1, token: "t0", send: srv.send, timers,
    onChange: (s) => states.push(s), ...extra });
  return { q, timers, states };
}

test("saves a batch; never says saved while ops are queued or in flight", async () => {
  const srv = server({ status: 200, body: { version: 2, status: "in_progress", refused: [] } });
  const { q, states } = queue(srv);
  q.push([up("a"), up("b")]);
  eq(q.state, "saving");
  const done = q.flush();
  eq(q.state, "saving");
  ok(await done);
  eq([q.state, q.version, q.unsent().length], ["saved", 2, 0]);
  eq(srv.calls[0].body, { version: 1, ops: [up("a"), up("b")] });
  ok(states.indexOf("saved") === states.length - 1, "saved only at the end");
});

test("one refused op: the others are kept, the refused one stays with its reason until edited again", async () => {
  const srv = server(
    { status: 200, body: { version: 2, refused: [{ index: 1, uid: "b", error: "item.label: unknown label 'X'", field: "item.label" }] } },
    { status: 200, body: { version: 3, refused: [] } });
  const { q } = queue(srv);
  q.push([up("a"), up("b", "X"), up("c")]);
  eq(await q.flush(), false);
  eq(q.state, "refused");
  eq(q.refusalOf("b"), "item.label: unknown label 'X'");
  eq([q.refusalOf("a"), q.refusalOf("c")], [null, null]);
  eq(q.unsent(), [up("b", "X")], "the refused op is kept (and backed up)");
  q.push([up("b", "ORG")]);
  eq(q.refusalOf("b"), null, "a new edit of the item replaces the refusal");
  ok(await q.flush());
  eq(q.state, "saved");
});

test("422 (every op refused): all kept with the reason, version unchanged", async () => {
  const srv = server({ status: 422, body: { error: "every edit was refused", refused: [{ index: 0, error: "overlaps" }, { index: 1, error: "overlaps" }] } });
  const { q } = queue(srv);
  q.push([up("a"), up("b")]);
  eq(await q.flush(), false);
  eq([q.state, q.version, q.unsent().length, q.refusalOf("a")], ["refused", 1, 2, "overlaps"]);
});

test("a conflict keeps every op until they are replayed on the server's version", async () => {
  const current = { version: 7, annotation: { entities: [], quotes: [], stances: [] } };
  let seen = null;
  const srv = server({ status: 409, body: { error: "changed", current } }, { status: 200, body: { version: 8, refused: [] } });
  const { q } = queue(srv, { onConflict: (c) => { seen = c; } });
  q.push([up("a")]);
  eq(await q.flush(), false);
  eq([q.state, seen.version, q.unsent().length], ["conflict", 7, 1]);
  q.push([up("b")]);
  eq(await q.flush(), false, "nothing is sent while the conflict is open");
  const ops = q.takeUnsent();
  eq(ops.length, 2);
  q.resume(7, ops);
  ok(await q.flush());
  eq(srv.calls[1].body.version, 7);
  eq([q.state, q.version], ["saved", 8]);
});

test("an expired CSRF token is refreshed and the batch sent again", async () => {
  const srv = server(
    { status: 400, body: { error: "The CSRF token has expired." } },
    { status: 200, body: { csrf_token: "t1" } },
    { status: 200, body: { version: 2, refused: [] } });
  const { q } = queue(srv);
  q.push([up("a")]);
  ok(await q.flush());
  eq(srv.calls.map((c) => [c.method, c.token]), [["PUT", "t0"], ["GET", "t0"], ["PUT", "t1"]]);
});

test("an expired session: signed out (never offline), every edit kept, saved after logging in again", async () => {
  const srv = server(
    { status: 400, body: { error: "The CSRF session token is missing." } },
    { status: 401, body: { error: "Log in" } },
    { status: 401, body: { error: "Log in" } },
    { status: 200, body: { csrf_token: "t2" } },
    { status: 200, body: { version: 5, refused: [] } });
  const { q, timers, states } = queue(srv);
  q.push([up("a")]);
  eq(await q.flush(), false);
  eq(q.state, "signed-out");
  ok(!states.includes("offline"));
  q.push([up("b")]);
  eq(await q.flush(), false, "nothing is sent while signed out");
  eq(q.unsent().length, 2);
  await timers.tick();   // still signed out
  eq(q.state, "signed-out");
  await timers.tick();   // logged in again in another tab
  await settle();
  eq([q.state, q.token, q.version], ["saved", "t2", 5]);
  eq(srv.calls[4].body.ops.map((o) => o.item.uid), ["a", "b"]);
});

test("401 or 403 on a save is signed out, not offline", async () => {
  for (const status of [401, 403]) {
    const { q } = queue(server({ status, body: { error: "no" } }));
    q.push([up("a")]);
    await q.flush();
    eq([q.state, q.auth.status, q.unsent().length], ["signed-out", status, 1]);
  }
});

test("offline: kept and retried", async () => {
  const srv = server({ status: 0, body: null }, { status: 502, body: null }, { status: 200, body: { version: 2, refused: [] } });
  const { q, timers } = queue(srv);
  q.push([up("a")]);
  eq(await q.flush(), false);
  eq(q.state, "offline");
  await timers.tick();
  eq(q.state, "offline");
  await timers.tick();
  eq(q.state, "saved");
});

function tab(storage, now) { return new Backup(1, { storage, session: new MemoryStorage(), now: () => now.t }); }

test("backups: each tab writes and removes only its own key", () => {
  const storage = new MemoryStorage(), now = { t: 1000 };
  const a = tab(storage, now), b = tab(storage, now);
  ok(a.key !== b.key);
  a.write(3, [up("a")]); b.write(3, [up("b")]);
  eq(storage.length, 2);
  a.write(4, []);
  eq([a.read(a.key), b.read(b.key).ops], [null, [up("b")]], "saving in tab A leaves tab B's backup alone");
  a.drop(b.key);
  ok(b.read(b.key), "a live tab's backup is never dropped by another tab");
  eq(a.offers(), [], "and never offered to it");
});

test("backups: a reload offers its own tab's edits; a closed tab's are offered once stale", () => {
  const storage = new MemoryStorage(), session = new MemoryStorage(), now = { t: 1000 };
  const first = new Backup(1, { storage, session, now: () => now.t });
  first.write(3, [up("a")]);
  const reloaded = new Backup(1, { storage, session, now: () => now.t });
  eq(reloaded.key, first.key);
  eq(reloaded.offers().map((o) => o.ops.length), [1]);
  const other = tab(storage, now);
  eq(other.offers(), []);
  now.t += STALE_MS + 1;
  eq(other.offers().map((o) => o.key), [first.key]);
  other.drop(first.key);
  eq(storage.length, 0);
  const elsewhere = new Backup(2, { storage, session, now: () => now.t });
  first.write(3, [up("a")]);
  eq(elsewhere.offers(), [], "another set's backup is not offered");
});
