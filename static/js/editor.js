// The editor page: selection, keys, edits with undo, autosave, conflicts, submit.
import { snap, tokenBounds, tokenRange, tokensSpan } from "./offsets.js";
import { ArticleView } from "./render.js";
import { Store } from "./store.js";
import { History } from "./history.js";
import { Saver } from "./api.js";
import { Panels } from "./panels.js";
import { layerActions } from "./layers.js";
import { syncActions } from "./sync.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("editor-data").textContent);
const text = data.text;
const bounds = tokenBounds(data.tokens);
const store = new Store(data.set.annotation);
const view = new ArticleView($("article"), text, store);
const panels = new Panels(text, store);
const history = new History();
const state = { sel: null, entity: null, quote: null, stance: null, server: null };
const SAVE_TEXT = { saved: "Saved", saving: "Saving…", conflict: "Conflict", offline: "Offline: retrying" };
const human = (item) => ({ ...item, origin: "human" });
const ctx = { data, text, store, view, panels, history, state, message, edit, refreshPanels, setSelection, selectEntity, pickedSpan, human };
const sync = syncActions(ctx);
const layers = layerActions(ctx);
const saver = new Saver({
  url: data.api, version: data.set.version,
  onState: (s) => { const node = $("save-state"); node.textContent = SAVE_TEXT[s]; node.dataset.state = s; sync.backup(); },
  onSaved: (body) => sync.showStatus(body.status),
  onConflict: sync.showConflict,
  onRejected: (error) => { message(`Not saved: ${error}`, "error"); sync.resync(); },
});
ctx.saver = saver;

let messageTimer = null;
function message(textValue, kind = "info") {
  const box = $("message");
  box.textContent = textValue; box.dataset.kind = kind; box.hidden = false;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

/* Edits: every change is a list of ops applied here, recorded for undo and queued for saving. */

function spansOf(layer, item) {
  if (!item) return [];
  if (layer === "entities") return [item];
  if (layer === "quotes") return [item.content, item.cue, item.speaker].filter(Boolean);
  return [];
}

function applyOps(ops) {
  const inverse = ops.map((op) => store.apply(op)).reverse();
  const touched = new Set(ops.map((op) => op.layer));
  for (const op of [...ops, ...inverse]) {
    for (const span of spansOf(op.layer, op.item)) view.update(span.start, span.end);
  }
  if (state.entity && !store.get("entities", state.entity)) state.entity = null;
  if (state.entity) view.markOf(state.entity).classList.add("selected");
  if (state.quote && !store.get("quotes", state.quote)) state.quote = null;
  if (state.stance && state.stance.uid && !store.get("stances", state.stance.uid)) state.stance = null;
  refreshPanels(touched);
  saver.push(ops);
  return inverse;
}

function edit(ops) {
  if (!ops.length) return;
  history.record(ops, applyOps(ops));
}

function undo() { const ops = history.undo(); if (ops) applyOps(ops); else message("Nothing to undo."); }
function redo() { const ops = history.redo(); if (ops) applyOps(ops); else message("Nothing to redo."); }

function refreshPanels(touched = new Set(["quotes", "stances"])) {
  if (touched.has("quotes") || touched.has("stances") || touched.has("entities")) {
    panels.renderLists({ quote: state.quote, stance: state.stance && state.stance.uid });
  }
  panels.showEntity(state.entity ? store.get("entities", state.entity) : null);
  panels.showQuote(state.quote ? store.get("quotes", state.quote) : null);
  if (state.stance && state.stance.uid) {
    const s = store.get("stances", state.stance.uid);
    if (s) panels.setPolarity(s.polarity);
  }
}

/* Selection: mouse or keys, always snapped to whole tokens and shown as the page's selection. */

function setSelection(span) {
  state.sel = span;
  const domSel = window.getSelection();
  domSel.removeAllRanges();
  if (span) {
    domSel.addRange(view.range(span.start, span.end));
    selectEntity(null);
  }
}

function readSelection() {
  const domSel = window.getSelection();
  if (!domSel.rangeCount || domSel.isCollapsed) return null;
  const r = domSel.getRangeAt(0);
  const a = view.offsetOf(r.startContainer, r.startOffset), b = view.offsetOf(r.endContainer, r.endOffset);
  return snap(bounds, Math.min(a, b), Math.max(a, b));
}

function onMouseUp(event) {
  const span = readSelection();
  if (span) { setSelection(span); return; }
  state.sel = null;
  const mark = event.target.closest("mark.ent");
  selectEntity(mark ? mark.dataset.uid : null);
}

function selectEntity(uid) {
  for (const m of $("article").querySelectorAll("mark.selected")) m.classList.remove("selected");
  state.entity = uid;
  if (uid) view.markOf(uid).classList.add("selected");
  panels.showEntity(uid ? store.get("entities", uid) : null);
}

function moveSelection(key, shift) {
  const current = state.sel || (state.entity && store.get("entities", state.entity)) || null;
  if (!bounds.starts.length) return;
  let [first, last] = current ? tokenRange(bounds, current.start, current.end) : [0, -1];
  if (!current) { setSelection(tokensSpan(bounds, 0, 0)); return; }
  if (shift) {
    if (key === "ArrowRight") last += 1; else if (last > first) last -= 1; else first -= 1;
  } else {
    const next = key === "ArrowRight" ? last + 1 : first - 1;
    first = last = next;
  }
  setSelection(tokensSpan(bounds, first, last));
  const node = view.locate(state.sel.start).node.parentElement;
  node.scrollIntoView({ block: "nearest" });
}

/** The span to use for a speaker or cue: the selection, or the clicked entity. */
function pickedSpan() {
  if (state.sel) return state.sel;
  const e = state.entity && store.get("entities", state.entity);
  return e ? { start: e.start, end: e.end } : null;
}

/* Keys. */

function toggle(id, force) {
  const box = $(id);
  box.hidden = force === undefined ? !box.hidden : !force;
}

function escape() {
  toggle("help", false); toggle("guidelines", false);
  setSelection(null); selectEntity(null); layers.closeStance();
  state.quote = null;
  refreshPanels();
}

const PLAIN_KEYS = {
  q: layers.newQuote, s: layers.setSpeaker, c: layers.setCue, k: layers.cycleKind, t: layers.newStance,
  f: () => layers.setPolarity("favor"), a: () => layers.setPolarity("against"), n: () => layers.setPolarity("neutral"),
  g: () => toggle("guidelines"), "?": () => toggle("help"),
  Delete: layers.deleteSelected, Backspace: layers.deleteSelected, Escape: escape,
  A: () => sync.finish("accept"), R: () => sync.finish("reject"), S: sync.skip,
};

function onKey(event) {
  const typing = event.target.closest && event.target.closest("input, textarea, select");
  if (typing) { if (event.key === "Escape") event.target.blur(); return; }
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.key.toLowerCase() === "z") { event.preventDefault(); (event.shiftKey ? redo : undo)(); return; }
  if (ctrl && event.key.toLowerCase() === "y") { event.preventDefault(); redo(); return; }
  if (ctrl || event.altKey) return;
  if (event.key === "ArrowLeft" || event.key === "ArrowRight") { event.preventDefault(); moveSelection(event.key, event.shiftKey); return; }
  if (/^[1-9]$/.test(event.key)) {
    const name = data.vocab.labels[+event.key - 1];
    if (name) { event.preventDefault(); layers.label(name); }
    return;
  }
  const action = PLAIN_KEYS[event.key];
  if (action) { event.preventDefault(); action(); }
}

/* Wiring. */

function on(id, type, handler) { $(id).addEventListener(type, handler); }

function wire() {
  const article = $("article");
  article.addEventListener("mouseup", onMouseUp);
  article.addEventListener("mouseover", (e) => { const seg = e.target.closest("[data-q]"); if (seg) seg.dataset.q.split(" ").forEach((u) => view.highlightQuote(u, true)); });
  article.addEventListener("mouseout", (e) => { const seg = e.target.closest("[data-q]"); if (seg) seg.dataset.q.split(" ").forEach((u) => view.highlightQuote(u, false)); });
  document.addEventListener("keydown", onKey);
  $("palette").addEventListener("mousedown", (e) => e.preventDefault());
  $("palette").addEventListener("click", (e) => { const b = e.target.closest("[data-label]"); if (b) layers.label(b.dataset.label); });
  for (const id of ["make-quote", "make-stance", "entity-delete"]) on(id, "mousedown", (e) => e.preventDefault());
  on("make-quote", "click", layers.newQuote);
  on("make-stance", "click", layers.newStance);
  on("entity-delete", "click", layers.deleteSelected);
  on("quote-set-speaker", "mousedown", (e) => e.preventDefault());
  on("quote-set-cue", "mousedown", (e) => e.preventDefault());
  on("quote-set-speaker", "click", layers.setSpeaker);
  on("quote-set-cue", "click", layers.setCue);
  on("quote-kind", "change", (e) => layers.updateQuote({ kind: e.target.value }));
  on("quote-entity", "change", (e) => layers.updateQuote({ speaker_entity: e.target.value || null }));
  on("quote-delete", "click", () => { const uid = state.quote; state.quote = null; edit([{ op: "delete", layer: "quotes", uid }]); });
  on("quote-close", "click", () => { state.quote = null; refreshPanels(); });
  on("stance-form", "submit", layers.saveStance);
  on("stance-cancel", "click", layers.closeStance);
  on("stance-delete", "click", () => { const uid = state.stance.uid; layers.closeStance(); edit([{ op: "delete", layer: "stances", uid }]); });
  on("stance-polarity", "change", (e) => layers.setPolarity(e.target.value));
  for (const [list, open] of [["quote-list", layers.openQuote], ["stance-list", layers.openStance]]) {
    on(list, "click", (e) => { const li = e.target.closest("li[data-uid]"); if (li) open(li.dataset.uid); });
  }
  on("quote-list", "mouseover", (e) => { const li = e.target.closest("li[data-uid]"); if (li) view.highlightQuote(li.dataset.uid, true); });
  on("quote-list", "mouseout", (e) => { const li = e.target.closest("li[data-uid]"); if (li) view.highlightQuote(li.dataset.uid, false); });
  on("do-undo", "click", undo);
  on("do-redo", "click", redo);
  on("do-help", "click", () => toggle("help"));
  on("do-guidelines", "click", () => toggle("guidelines"));
  on("do-accept", "click", () => sync.finish("accept"));
  on("do-reject", "click", () => sync.finish("reject"));
  on("do-skip", "click", sync.skip);
  for (const id of ["help", "guidelines"]) on(id, "click", (e) => { if (e.target.id === id) toggle(id, false); });
  on("conflict-merge", "click", () => sync.rebaseOnto(state.server));
  on("conflict-show", "click", () => { const pre = $("conflict-server"); pre.textContent = sync.serverSummary(state.server); pre.hidden = !pre.hidden; });
  on("conflict-reload", "click", () => { saver.pending = []; sync.backup(); window.location.reload(); });
  window.addEventListener("beforeunload", (e) => { if (saver.unsaved) { saver.flush(); e.preventDefault(); e.returnValue = ""; } });
}

view.renderAll();
sync.restoreBackup();
refreshPanels();
wire();
document.body.dataset.editorReady = "1";
