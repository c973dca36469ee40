// Keeping the server in step: status, the local backup of unsaved edits, conflicts, submitting.
import { overlapping } from "./offsets.js";
import { sendJSON } from "./api.js";

const $ = (id) => document.getElementById(id);

/** The sync actions, bound to the editor's shared context (ctx.saver is set after this is built). */
export function syncActions(ctx) {
  const { data, text, store, view, history, state, message, refreshPanels } = ctx;

  function showStatus(status) {
    const pill = $("set-status");
    pill.textContent = status.replace("_", " ");
    pill.className = `status status-${status}`;
  }

  /* A copy of the unsaved ops in localStorage, so a crash or closed tab loses nothing. */
  const BACKUP_KEY = `annotator:unsaved:${data.set.id}`;

  function backup() {
    try {
      const ops = ctx.saver.inFlight ? ctx.saver.inFlight.concat(ctx.saver.pending) : ctx.saver.pending;
      if (ops.length) localStorage.setItem(BACKUP_KEY, JSON.stringify({ version: ctx.saver.version, ops }));
      else localStorage.removeItem(BACKUP_KEY);
    } catch (_) { /* storage full or disabled: the save queue still holds the ops */ }
  }

  function restoreBackup() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(BACKUP_KEY) || "null"); } catch (_) { saved = null; }
    if (!saved || !saved.ops || !saved.ops.length) return;
    if (saved.version === ctx.saver.version) {
      for (const op of saved.ops) store.apply(op);
      view.renderAll();
      ctx.saver.push(saved.ops);
      message(`Restored ${saved.ops.length} edit(s) that had not been saved.`);
    } else {
      ctx.saver.pending = saved.ops;
      ctx.saver.conflict = true;
      ctx.saver.onState("conflict");
      showConflict(data.set);
    }
  }

  /* Conflicts: keep the local edits, show the server's state on demand, merge or reload. */

  function showConflict(current) {
    state.server = current;
    $("conflict-count").textContent = String(ctx.saver.unsaved);
    $("conflict").hidden = false;
    message("Conflict: someone else saved this document. Your edits are kept; choose below.", "error");
  }

  function serverSummary(current) {
    const lines = [`Version ${current.version}, status ${current.status}`];
    const a = current.annotation;
    lines.push(`${a.entities.length} entities, ${a.quotes.length} quotes, ${a.stances.length} stances`);
    for (const e of a.entities) lines.push(`  ${e.label.padEnd(8)} ${text.slice(e.start, e.end)}`);
    return lines.join("\n");
  }

  /** Take the server's state, replay our queued ops on it (dropping ones that no longer fit), save. */
  function rebaseOnto(current) {
    const ops = ctx.saver.pending;
    store.load(current.annotation);
    const kept = [];
    for (const op of ops) {
      if (op.op === "upsert" && op.layer === "entities" && overlapping(store.all("entities"), op.item.start, op.item.end, op.item.uid)) continue;
      store.apply(op);
      kept.push(op);
    }
    history.clear();
    view.renderAll();
    refreshPanels();
    ctx.saver.rebase(current.version, kept);
    $("conflict").hidden = true;
    $("conflict-server").hidden = true;
    if (kept.length < ops.length) message(`${ops.length - kept.length} edit(s) clashed with theirs and were left out.`, "error");
  }

  async function resync() {
    const { status, body } = await sendJSON(data.api, "GET");
    if (status === 200) rebaseOnto(body);
  }

  /* Submitting and moving on. */

  async function finish(answer) {
    const saved = await ctx.saver.flush();
    if (!saved) { message("Your edits are not saved yet, so the document was not submitted.", "error"); return; }
    const { status, body } = await sendJSON(data.statusApi, "POST", { version: ctx.saver.version, status: data.submitStatus, answer });
    if (status === 200) { window.location.assign(data.next); return; }
    if (status === 409) { ctx.saver.conflict = true; ctx.saver.onState("conflict"); showConflict(body.current); return; }
    message(`Not submitted: ${body ? body.error : "network error"}`, "error");
  }

  async function skip() {
    await ctx.saver.flush();
    if (ctx.saver.unsaved) { message("Your edits are not saved yet.", "error"); return; }
    window.location.assign(data.skip);
  }

  return { serverSummary, showStatus, backup, restoreBackup, showConflict, rebaseOnto, resync, finish, skip };
}
