// The editor page: one Editor owns the page state (selection, open item, edits, saving, keys).
import { $ } from "./dom.js";
import { moveEdge, nextToken, overlapping, snap, tokenBounds } from "./offsets.js";
import { ArticleView } from "./render.js";
import { Store, newUid, opUid, spanOf } from "./store.js";
import { History } from "./history.js";
import { SaveQueue, sendJSON } from "./savequeue.js";
import { Backup } from "./backup.js";
import { Panels } from "./panels.js";
import { cycle, holderCandidates, nounPhrase, sentences, speakerCandidates, targetCandidates } from "./candidates.js";
import { keyName, readKeyMap } from "./keys.js";
import { dropDeadLinks, replayOps } from "./merge.js";

const SAVE_TEXT = {
  saved: "Saved", saving: "Saving…", conflict: "Conflict: your edits are kept", offline: "Offline: retrying, your edits are kept",
};
export class Editor {
  constructor(data) {
    this.data = data; this.text = data.text; this.vocab = data.vocab;
    this.human = (item) => ({ ...item, origin: this.vocab.origin.HUMAN });  // what a person saves is theirs
    this.bounds = tokenBounds(data.tokens);
    // What ranks speaker and holder candidates: the noun phrase an entity heads, the sentence of an offset.
    this.context = { phraseOf: (ent) => nounPhrase(this.text, this.bounds, ent), sentenceOf: sentences(this.text, this.vocab.quoteMarks.opening) };
    this.store = new Store(data.set.annotation);
    this.history = new History();
    const refusals = (uid) => this.queue.refusalOf(uid);
    this.view = new ArticleView($("article"), this.text, this.store, refusals);
    this.panels = new Panels(this.text, this.store, refusals, this.vocab);
    const meta = document.querySelector('meta[name="csrf-token"]');
    this.queue = new SaveQueue({
      url: data.api, csrfUrl: data.csrfApi, version: data.set.version, token: meta ? meta.content : "",
      onChange: (state) => this.showSaveState(state), onSaved: (body) => this.showStatus(body.status),
      onConflict: (current) => this.showConflict(current),
    });
    this.backup = new Backup(data.set.id);
    this.sel = null;      // {kind: "text", start, end} or {kind: "item", layer, uid}
    this.open = null;     // {layer, uid}: the quote or stance shown in the side panel
    this.draft = null;    // a new stance until it has a holder and a target
    this.cycling = null;  // {uid, role}: a candidate cycle in progress
    this.refusedShown = new Set();
    this.keys = readKeyMap(document);
    this.asking = null;
    this.domSpan = null;     // the words the browser's selection shows, as the editor last set it
    this.domTouched = true;  // the mouse or a key may have changed the browser's selection since
  }

  /* Starting up. */

  start() {
    this.view.renderAll();
    this.panels.renderLists();
    this.refreshBoxes();
    this.wire();
    this.claimTabId();
    this.offerBackups();
    setInterval(() => { if (this.queue.unsent().length) this.saveBackup(); }, 10_000);
    document.body.dataset.editorReady = "1";
  }

  message(text, kind = "info") {
    const box = $("message");
    box.textContent = text; box.dataset.kind = kind; box.hidden = false;
    clearTimeout(this.messageTimer);
    this.messageTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 9000 : 5000);
  }

  /* Edits: every change is a list of ops applied here, recorded for undo and queued for saving. */

  edit(ops) {
    if (!ops.length) return;
    const { applied, inverse } = this.applyOps(ops);
    this.history.record(applied, inverse);
  }

  /** Apply ops (links to entities that are gone, e.g. after a merge, are dropped); queue them; redraw. */
  applyOps(ops) {
    const applied = [], inverse = [];
    let dropped = 0;
    for (const op of ops) {
      const fixed = dropDeadLinks(this.store, op);
      dropped += fixed.dropped;
      applied.push(fixed.op);
      inverse.unshift(this.store.apply(fixed.op));
    }
    this.queue.push(applied);
    this.redraw(applied.concat(inverse));
    if (dropped) this.message(`${dropped} link(s) to entities that no longer exist were dropped.`);
    return { applied, inverse };
  }

  /** Re-render only what these ops touch: their paragraphs and list rows. */
  redraw(ops) {
    const rows = { quotes: new Set(), stances: new Set() };
    const spans = new Map();  // each touched stretch of text once (an op and its inverse cover the same)
    const touch = (span) => { if (span) spans.set(`${span.start}:${span.end}`, span); };
    for (const op of ops) {
      const uid = opUid(op);
      if (op.layer !== "entities") rows[op.layer].add(uid);
      if (op.op !== "upsert") continue;
      if (op.layer === "entities") {
        touch(op.item);
        for (const link of this.store.linksTo(uid)) rows[link.layer].add(link.item.uid);
      } else if (op.layer === "quotes") {
        for (const span of [op.item.content, op.item.cue, op.item.speaker]) touch(span);
      }
    }
    if (spans.size) this.view.updateSpans([...spans.values()]);
    if (spans.size && this.domSpan) this.domSpan = { start: -1, end: -1 };  // its text nodes may be gone: set it again
    for (const layer of Object.keys(rows)) if (rows[layer].size) this.panels.updateRows(layer, rows[layer]);
    this.fixSelection();
    this.refreshBoxes();
  }

  /** Keep the selection on an item that still exists (after undo, delete or merge). */
  fixSelection() {
    if (this.sel && this.sel.kind === "item" && !this.draftSelected() && !this.store.get(this.sel.layer, this.sel.uid)) this.sel = null;
    if (this.open && !this.store.get(this.open.layer, this.open.uid) && !(this.draft && this.draft.uid === this.open.uid)) this.open = null;
    this.paintSelection(false);
  }

  undo() { const ops = this.history.undo(); if (ops) this.applyOps(ops); else this.message("Nothing to undo."); }
  redo() { const ops = this.history.redo(); if (ops) this.applyOps(ops); else this.message("Nothing to redo."); }

  /* The one selection: a run of words, or an item (entity, quote or stance). */

  draftSelected() { return !!(this.draft && this.sel && this.sel.kind === "item" && this.sel.uid === this.draft.uid); }

  selected() {
    if (!this.sel || this.sel.kind !== "item") return null;
    if (this.draftSelected()) return this.draft;
    return this.store.get(this.sel.layer, this.sel.uid);
  }

  selectedSpan() {
    if (!this.sel) return null;
    if (this.sel.kind === "text") return { start: this.sel.start, end: this.sel.end };
    const item = this.selected();
    return item ? spanOf(this.sel.layer, item) : null;
  }

  selectItem(layer, uid, reveal = true) {
    this.sel = { kind: "item", layer, uid };
    this.cycling = null;
    if (layer !== "entities") this.open = { layer, uid };
    this.paintSelection(reveal);
    this.refreshBoxes();
  }

  /** Select words; words that are exactly an entity select the entity (unless keepText). */
  selectText(span, keepText = false) {
    const ent = span && !keepText && this.store.entityExact(span.start, span.end);
    if (ent) { this.selectItem("entities", ent.uid); return; }
    this.sel = span ? { kind: "text", start: span.start, end: span.end } : null;
    this.cycling = null;
    this.paintSelection(true);
    this.refreshBoxes();
  }

  paintSelection(reveal) {
    const sel = this.sel, item = this.selected();
    this.view.select(sel && sel.kind === "item" && sel.layer === "entities" ? sel.uid : null);
    this.panels.select(sel && sel.kind === "item" ? sel.layer : null, sel && sel.kind === "item" ? sel.uid : null);
    this.view.highlight("item", item && sel.layer !== "entities" ? spanOf(sel.layer, item) : null);
    const span = this.selectedSpan();
    this.showTextSelection(sel && sel.kind === "text" ? span : null);
    if (reveal && span) this.view.reveal(span.start);
  }

  /**
   * Make the browser's text selection show these words (or nothing in the article). Reading the
   * browser's selection forces a layout after an edit, so it is read only when the mouse or a key
   * the editor does not handle may have changed it since the editor last set it.
   */
  showTextSelection(span) {
    const dom = window.getSelection();
    if (!this.domTouched) {
      const same = span && this.domSpan && span.start === this.domSpan.start && span.end === this.domSpan.end;
      if (same || (!span && !this.domSpan)) return;
    }
    if (span) {
      const r = this.view.range(span.start, span.end);
      if (!this.domTouched || !dom.rangeCount || dom.getRangeAt(0).compareBoundaryPoints(Range.START_TO_START, r) || dom.getRangeAt(0).compareBoundaryPoints(Range.END_TO_END, r)) {
        dom.removeAllRanges(); dom.addRange(r);
      }
    } else if (dom.rangeCount && !dom.isCollapsed && $("article").contains(dom.anchorNode)) dom.removeAllRanges();
    this.domSpan = span; this.domTouched = false;
  }

  refreshBoxes() {
    const item = this.selected();
    this.panels.showEntity(this.sel && this.sel.layer === "entities" ? item : null);
    const open = this.open;
    this.panels.showQuote(open && open.layer === "quotes" ? this.store.get("quotes", open.uid) : null, this.vocab.speakerLabels);
    const stance = open && open.layer === "stances" ? (this.draft && this.draft.uid === open.uid ? this.draft : this.store.get("stances", open.uid)) : null;
    this.panels.showStance(stance, this.vocab.speakerLabels);
  }

  /** The next or previous item in reading order (within one layer when `layer` is given). */
  step(dir, sameLayer = false) {
    const current = this.sel;
    const layer = sameLayer ? (current && current.kind === "item" ? current.layer : "entities") : null;
    const items = this.store.inOrder().filter((x) => !layer || x.layer === layer);
    if (!items.length) { this.message("There is nothing to select."); return; }
    let i;
    if (current && current.kind === "item" && !this.draftSelected()) {
      i = items.findIndex((x) => x.layer === current.layer && x.uid === current.uid);
      i = i < 0 ? 0 : i + dir;
    } else {
      const at = this.selectedSpan() ? this.selectedSpan().start : (dir > 0 ? -1 : Infinity);
      i = dir > 0 ? items.findIndex((x) => x.start >= at) : items.map((x) => x.start < at).lastIndexOf(true);
    }
    if (i < 0 || i >= items.length) i = dir > 0 ? 0 : items.length - 1;
    this.selectItem(items[i].layer, items[i].uid);
  }

  /** Arrow keys: the word after or before the selection. */
  word(dir) {
    const span = this.selectedSpan();
    if (!span) { this.selectText({ start: this.bounds.starts[0], end: this.bounds.ends[0] }); return; }
    const next = nextToken(this.bounds, span, dir);
    if (next) this.selectText(next);
  }

  /** Shift-arrows: move one edge of the selected words, or of the selected item's span, by one word. */
  resize(edge, grow) {
    const sel = this.sel;
    if (!sel) { this.message("Select some words or an item first."); return; }
    const span = moveEdge(this.bounds, this.selectedSpan(), edge, grow);
    if (!span) return;
    if (sel.kind === "text") { this.selectText(span, true); return; }
    const item = this.selected();
    if (sel.layer === "entities") {
      const clash = overlapping(this.store.all("entities"), span.start, span.end, item.uid);
      if (clash) { this.refuseOverlap(clash); return; }
      this.edit([{ op: "upsert", layer: "entities", item: this.human({ ...item, ...span }) }]);
    } else if (this.draftSelected()) {
      this.draft = { ...this.draft, evidence: span };
      this.paintSelection(false); this.refreshBoxes();
    } else {
      const key = sel.layer === "quotes" ? "content" : "evidence";
      this.edit([{ op: "upsert", layer: sel.layer, item: this.human({ ...item, [key]: span }) }]);
    }
  }

  refuseOverlap(clash) {
    this.message(`Refused: that overlaps the ${clash.label} span “${this.text.slice(clash.start, clash.end)}”. Select it (arrows) to change it.`, "error");
  }

  /* Entities. */

  label(name) {
    if (!name) return;
    const sel = this.sel;
    if (sel && sel.kind === "item" && sel.layer === "entities") {
      const ent = this.selected();
      if (ent.label !== name || ent.origin === this.vocab.origin.MODEL) this.edit([{ op: "upsert", layer: "entities", item: this.human({ ...ent, label: name }) }]);
      return;
    }
    if (!sel || sel.kind !== "text") { this.message("Select some words (or an entity) first, then press a number."); return; }
    const same = this.store.entityExact(sel.start, sel.end);
    if (same) { this.selectItem("entities", same.uid); this.label(name); return; }
    const clash = overlapping(this.store.all("entities"), sel.start, sel.end);
    if (clash) { this.refuseOverlap(clash); return; }
    const item = { uid: newUid("e"), start: sel.start, end: sel.end, label: name, origin: this.vocab.origin.HUMAN };
    this.edit([{ op: "upsert", layer: "entities", item }]);
    this.selectItem("entities", item.uid);
  }

  /** Delete the selected item, and nothing else; a linked entity asks first. */
  deleteSelected() {
    const sel = this.sel, item = this.selected();
    if (!item) { this.message("Select an item to delete (↑ ↓ move between items)."); return; }
    if (this.draftSelected()) { this.draft = null; this.open = null; this.sel = null; this.paintSelection(false); this.refreshBoxes(); return; }
    if (sel.layer !== "entities") { this.edit([{ op: "delete", layer: sel.layer, uid: item.uid }]); return; }
    const links = this.store.linksTo(item.uid);
    if (!links.length) { this.edit([{ op: "delete", layer: "entities", uid: item.uid }]); return; }
    const name = this.text.slice(item.start, item.end);
    const other = this.relinkCandidate(item);
    const choices = [];
    if (other) {
      choices.push({ key: "Enter", text: `Relink them to “${name}” at ${other.start} and delete`,
        run: () => this.edit([...this.store.relinkOps(item.uid, other.uid, this.vocab.origin.HUMAN), { op: "delete", layer: "entities", uid: item.uid }]) });
    }
    choices.push({ key: other ? "Delete" : "Enter", text: "Unlink them and delete",
      run: () => this.edit([...this.store.relinkOps(item.uid, null, this.vocab.origin.HUMAN), { op: "delete", layer: "entities", uid: item.uid }]) });
    this.ask(`${links.length} quote(s) or stance(s) link to “${name}”.`, choices);
  }

  /** Another entity to move links to: the nearest one with the same text, else the nearest with the same label. */
  relinkCandidate(ent) {
    const name = this.text.slice(ent.start, ent.end);
    const others = this.store.all("entities").filter((e) => e.uid !== ent.uid);
    const near = (list) => list.sort((a, b) => Math.abs(a.start - ent.start) - Math.abs(b.start - ent.start))[0] || null;
    return near(others.filter((e) => this.text.slice(e.start, e.end) === name));
  }

  /* Quotes. */

  newQuote() {
    const sel = this.sel;
    if (!sel || sel.kind !== "text") { this.message("Select the quoted words first, then press q."); return; }
    const before = this.text.slice(Math.max(0, sel.start - 1), sel.start);
    const after = this.text.slice(sel.end, sel.end + 1);
    const { opening, closing } = this.vocab.quoteMarks;  // the rule of vocab.guess_quote_kind
    const kinds = this.vocab.quoteKinds;
    const kind = before && after && opening.includes(before) && closing.includes(after) ? kinds[0] : kinds[1] || kinds[0];
    const item = { uid: newUid("q"), content: { start: sel.start, end: sel.end }, kind, cue: null, speaker: null,
      speaker_entity: null, confidence: null, origin: this.vocab.origin.HUMAN };
    this.edit([{ op: "upsert", layer: "quotes", item }]);
    this.selectItem("quotes", item.uid);
    this.message("Quote added: s picks its speaker, k its kind; select the cue word and press c.");
  }

  openQuote() {
    const uid = this.open && this.open.layer === "quotes" ? this.open.uid : null;
    return uid ? this.store.get("quotes", uid) : null;
  }

  updateQuote(quote, change) { this.edit([{ op: "upsert", layer: "quotes", item: this.human({ ...quote, ...change }) }]); }

  /** s: cycle the selected quote's speaker; with words selected, the open quote's speaker is those words. */
  speaker(dir) {
    const sel = this.sel;
    if (sel && (sel.kind === "text" || sel.layer === "entities")) {
      const q = this.openQuote();
      if (!q) { this.message("Open a quote first (↑ ↓ to select one)."); return; }
      const span = this.selectedSpan();
      const ent = this.speakerInside(span);
      this.updateQuote(q, { speaker: span, speaker_entity: ent ? ent.uid : null });
      this.selectItem("quotes", q.uid, false);
      return;
    }
    const q = sel && sel.layer === "quotes" ? this.selected() : null;
    if (!q) { this.message("Select a quote first (↑ ↓), then press s."); return; }
    const started = this.cycling && this.cycling.uid === q.uid && this.cycling.role === "speaker";
    const ent = cycle(speakerCandidates(this.store.all("entities"), q, this.vocab.speakerLabels, this.context), q.speaker_entity, dir, started);
    if (!ent) { this.message("No entity could be this quote's speaker: label one first."); return; }
    this.updateQuote(q, { speaker: nounPhrase(this.text, this.bounds, ent), speaker_entity: ent.uid });
    this.cycling = { uid: q.uid, role: "speaker" };
  }

  /** The entity words chosen as a speaker stand for: the one with the earliest speaker label (the last on a tie). */
  speakerInside(span) {
    const labels = this.vocab.speakerLabels;
    const inside = this.store.sorted("entities").filter((e) => span.start <= e.start && e.end <= span.end && labels.includes(e.label));
    return inside.reduce((best, e) => (!best || labels.indexOf(e.label) <= labels.indexOf(best.label) ? e : best), null);
  }

  setCue() {
    const sel = this.sel, q = this.openQuote();
    if (!q) { this.message("Open a quote first (↑ ↓ to select one)."); return; }
    if (!sel || sel.kind !== "text") { this.message("Select the cue word (e.g. “said”), then press c."); return; }
    this.updateQuote(q, { cue: { start: sel.start, end: sel.end } });
    this.selectItem("quotes", q.uid, false);
  }

  cycleKind() {
    const q = this.sel && this.sel.layer === "quotes" ? this.selected() : this.openQuote();
    if (!q) { this.message("Select a quote first."); return; }
    const kinds = this.vocab.quoteKinds;
    this.updateQuote(q, { kind: kinds[(kinds.indexOf(q.kind) + 1) % kinds.length] });
  }

  /* Stances: a draft until it has a holder and a target, then saved like any item. */

  newStance() {
    const sel = this.sel;
    if (!sel || sel.kind !== "text") { this.message("Select the evidence first, then press t."); return; }
    const around = this.store.all("quotes").find((q) => q.content.start <= sel.start && sel.end <= q.content.end);
    const holder = around && around.speaker_entity ? this.store.get("entities", around.speaker_entity) : null;
    const pols = this.vocab.polarities;
    this.draft = { uid: newUid("s"), draft: true, evidence: { start: sel.start, end: sel.end }, holder: holder ? this.name(holder) : "",
      holder_entity: holder ? holder.uid : null, target: "", target_entity: null, polarity: pols[pols.length - 1].name,
      confidence: null, origin: this.vocab.origin.HUMAN };
    this.selectItem("stances", this.draft.uid);
    this.message("New stance: h picks the holder, o the target, " + pols.map((p) => `${p.key} ${p.name}`).join(", ") + ".");
  }

  name(ent) { return this.text.slice(ent.start, ent.end); }

  selectedStance() { return this.sel && this.sel.layer === "stances" ? this.selected() : null; }

  /** Change the selected stance (a draft is saved once it has a holder and a target). */
  updateStance(change) {
    const s = this.selectedStance();
    if (!s) { this.message("Select a stance first (↑ ↓), or select evidence and press t."); return; }
    const next = { ...s, ...change, origin: this.vocab.origin.HUMAN };
    if (!s.draft) { this.edit([{ op: "upsert", layer: "stances", item: next }]); return; }
    this.draft = next;
    if ((next.holder || next.holder_entity) && (next.target || next.target_entity)) {
      const { draft, ...item } = next;
      this.draft = null;
      this.edit([{ op: "upsert", layer: "stances", item }]);
      this.selectItem("stances", item.uid, false);
    } else this.refreshBoxes();
  }

  /** h / o: the next holder or target candidate for the selected stance. */
  pick(role, dir) {
    const s = this.selectedStance();
    if (!s) { this.message("Select a stance first (↑ ↓), or select evidence and press t."); return; }
    const ents = this.store.all("entities");
    const list = role === "holder" ? holderCandidates(ents, s.evidence, this.vocab.speakerLabels, this.context) : targetCandidates(ents, s.evidence);
    const started = this.cycling && this.cycling.uid === s.uid && this.cycling.role === role;
    const ent = cycle(list, s[`${role}_entity`], dir, started);
    if (!ent) { this.message("No entity to pick: label one first."); return; }
    this.updateStance({ [`${role}_entity`]: ent.uid, [role]: this.name(ent) });
    this.cycling = { uid: s.uid, role };
  }

  setPolarity(name) {
    if (!this.selectedStance()) { this.message("Select a stance first."); return; }
    if (this.selectedStance().polarity !== name) this.updateStance({ polarity: name });
  }

  /* Finding text from the keyboard. */

  openFind() {
    const box = $("find");
    box.hidden = false;
    $("find-input").focus();
    $("find-input").select();
  }

  find(query) {
    $("find").hidden = true;
    $("find-input").blur();
    if (!query) return;
    const hay = this.text.toLowerCase(), needle = query.toLowerCase();
    const from = this.selectedSpan() ? this.selectedSpan().start + 1 : 0;
    let at = hay.indexOf(needle, from);
    if (at < 0) at = hay.indexOf(needle);
    if (at < 0) { this.message(`“${query}” is not in this article.`, "error"); return; }
    const span = snap(this.bounds, at, at + needle.length);
    const around = span && this.store.all("entities").find((e) => e.start <= span.start && span.end <= e.end);
    if (around) this.selectItem("entities", around.uid); else if (span) this.selectText(span);
  }

  /* Saving, backups, conflicts, the session. */

  showSaveState(state) {
    const node = $("save-state");
    const q = this.queue;
    let text = SAVE_TEXT[state];
    if (state === "refused") text = `${q.refused.length} edit(s) refused: see the marked items`;
    if (state === "signed-out") {
      text = q.auth.status === 403 ? `Not allowed (403): ${q.auth.error || "log in again"}; your edits are kept`
        : "Signed out: log in again in another tab; your edits are kept";
    }
    node.textContent = text; node.dataset.state = state;
    $("login-again").hidden = state !== "signed-out";
    this.saveBackup();
    this.showRefusals();
  }

  /** Redraw items whose refusal appeared or went away. */
  showRefusals() {
    const now = new Map(this.queue.refused.map((r) => [opUid(r.op), r.op.layer]));
    const changed = [...now.keys(), ...this.refusedShown].filter((uid) => now.has(uid) !== this.refusedShown.has(uid));
    if (!changed.length) return;
    const layers = new Map([...this.refusedLayers || [], ...now]);
    const rows = { quotes: [], stances: [] };
    for (const uid of changed) {
      const layer = layers.get(uid);
      const ent = layer === "entities" && this.store.get("entities", uid);
      if (ent) this.view.update(ent.start, ent.end);
      if (rows[layer]) rows[layer].push(uid);
    }
    for (const layer of Object.keys(rows)) if (rows[layer].length) this.panels.updateRows(layer, rows[layer]);
    this.refusedShown = new Set(now.keys());
    this.refusedLayers = now;
    this.paintSelection(false);
    this.refreshBoxes();
    const first = this.queue.refused[this.queue.refused.length - 1];
    if (now.size && first && changed.some((uid) => now.has(uid))) this.message(`Not saved: ${first.error}`, "error");
  }

  saveBackup() { this.backup.write(this.queue.version, this.queue.unsent()); }

  showStatus(status) {
    const pill = $("set-status");
    pill.textContent = status.replace("_", " ");
    pill.className = `status status-${status}`;
  }

  /** A duplicated tab inherits this tab's id (sessionStorage is copied): the newer one takes a new id. */
  claimTabId() {
    if (!window.BroadcastChannel) return;
    const channel = new BroadcastChannel("annotator-tabs");
    channel.onmessage = ({ data }) => {
      if (data.hello === this.backup.tabId && data.from !== this.instance) channel.postMessage({ taken: data.hello, by: this.instance });
      if (data.taken === this.backup.tabId && data.by !== this.instance && this.history.size === 0) this.backup.renew();
    };
    this.instance = Math.random().toString(36).slice(2);
    channel.postMessage({ hello: this.backup.tabId, from: this.instance });
  }

  /** Offer unsent edits found from before a reload (or from a tab that was closed). */
  offerBackups() {
    const offers = this.backup.offers();
    if (!offers.length) return;
    const ops = offers.flatMap((o) => o.ops);
    $("restore-count").textContent = String(ops.length);
    $("restore").hidden = false;
    $("restore-apply").focus();
    this.pendingOffers = offers;
  }

  restoreBackups(take) {
    const offers = this.pendingOffers || [];
    this.pendingOffers = null;
    $("restore").hidden = true;
    if (take) {
      const ops = offers.flatMap((o) => o.ops);
      const result = this.replay(ops);
      this.view.renderAll(); this.domTouched = true; this.panels.renderLists(); this.fixSelection(); this.refreshBoxes();
      this.queue.push(result.kept);
      this.message(`Restored ${result.kept.length} edit(s) that had not been saved.` + this.dropNote(result));
    }
    for (const o of offers) this.backup.drop(o.key);
    this.saveBackup();
  }

  replay(ops) { return replayOps(this.store, ops); }

  dropNote({ clashes, links }) {
    const parts = [];
    if (clashes) parts.push(`${clashes} entity edit(s) overlapped theirs and were left out`);
    if (links) parts.push(`${links} link(s) to entities they deleted were dropped`);
    return parts.length ? ` ${parts.join("; ")}.` : "";
  }

  showConflict(current) {
    this.server = current;
    $("conflict-count").textContent = String(this.queue.unsent().length);
    $("conflict").hidden = false;
    $("conflict-merge").focus();
    this.message("Conflict: someone else saved this document. Your edits are kept; Enter applies them on top of theirs.", "error");
  }

  serverSummary(current) {
    const lines = [`Version ${current.version}, status ${current.status}`];
    const a = current.annotation;
    lines.push(`${a.entities.length} entities, ${a.quotes.length} quotes, ${a.stances.length} stances`);
    for (const e of a.entities) lines.push(`  ${e.label.padEnd(8)} ${this.text.slice(e.start, e.end)}`);
    return lines.join("\n");
  }

  /** Take the server's state and replay our unsent ops on it (undo history is kept). */
  rebaseOnto(current) {
    const ops = this.queue.takeUnsent();
    this.store.load(current.annotation);
    const result = this.replay(ops);
    this.view.renderAll(); this.domTouched = true; this.panels.renderLists();
    this.fixSelection(); this.refreshBoxes();
    this.queue.resume(current.version, result.kept);
    $("conflict").hidden = true; $("conflict-server").hidden = true;
    this.showStatus(current.status);
    this.message(`Merged: ${result.kept.length} edit(s) of yours applied on their version.` + this.dropNote(result), result.clashes || result.links ? "error" : "info");
  }

  /* Submitting and moving on. */

  async finish(answer) {
    const saved = await this.queue.flush();
    if (!saved) { this.message(`Not submitted: ${$("save-state").textContent}.`, "error"); return; }
    const body = { version: this.queue.version, status: this.data.submitStatus, answer };
    let res = await sendJSON(this.data.statusApi, "POST", body, this.queue.token);
    if (res.status === 400 && await this.queue.refreshToken()) res = await sendJSON(this.data.statusApi, "POST", body, this.queue.token);
    if (res.status === 200) { this.backup.write(0, []); window.location.assign(this.data.next); return; }
    if (res.status === 409) { this.queue.conflict = true; this.queue.changed(); this.showConflict(res.body.current); return; }
    this.message(`Not submitted: ${res.body ? res.body.error : "network error"}`, "error");
  }

  async skip() {
    await this.queue.flush();
    if (!this.queue.saved) { this.message(`Not skipped: ${$("save-state").textContent}.`, "error"); return; }
    window.location.assign(this.data.skip);
  }

  /* Questions answered from the keyboard. */

  ask(text, choices) {
    $("ask-text").textContent = text;
    const box = $("ask-choices");
    box.textContent = "";
    for (const c of [...choices, { key: "Escape", text: "Cancel", run: () => {} }]) {
      const b = document.createElement("button");
      b.type = "button"; b.dataset.key = c.key;
      b.appendChild(Object.assign(document.createElement("kbd"), { textContent: c.key === "Escape" ? "Esc" : c.key }));
      b.appendChild(document.createTextNode(` ${c.text}`));
      b.addEventListener("click", () => this.answer(c));
      box.appendChild(b);
    }
    this.asking = choices;
    $("ask").hidden = false;
  }

  answer(choice) {
    this.asking = null;
    $("ask").hidden = true;
    choice.run();
  }

  /* Keys. */

  toggle(id, force) {
    const box = $(id);
    box.hidden = force === undefined ? !box.hidden : !force;
  }

  escape() {
    if (!$("help").hidden || !$("guidelines").hidden) { this.toggle("help", false); this.toggle("guidelines", false); return; }
    this.draft = null; this.open = null;
    this.selectText(null);
  }

  actionTable() {
    return {
      "next-item": () => this.step(1), "prev-item": () => this.step(-1),
      "next-in-layer": () => this.step(1, true), "prev-in-layer": () => this.step(-1, true),
      "next-word": () => this.word(1), "prev-word": () => this.word(-1),
      find: () => this.openFind(), "open-item": () => this.openSelected(), escape: () => this.escape(),
      "grow-end": () => this.resize("end", true), "shrink-end": () => this.resize("end", false),
      "grow-start": () => this.resize("start", true), "shrink-start": () => this.resize("start", false),
      "delete-item": () => this.deleteSelected(),
      "new-quote": () => this.newQuote(), "speaker-next": () => this.speaker(1), "speaker-prev": () => this.speaker(-1),
      "set-cue": () => this.setCue(), "cycle-kind": () => this.cycleKind(),
      "new-stance": () => this.newStance(), "holder-next": () => this.pick("holder", 1), "holder-prev": () => this.pick("holder", -1),
      "target-next": () => this.pick("target", 1), "target-prev": () => this.pick("target", -1),
      undo: () => this.undo(), redo: () => this.redo(),
      submit: () => this.finish("accept"),
      reject: () => this.ask("Reject this document as unfit for annotation?", [{ key: "Enter", text: "Reject and go on", run: () => this.finish("reject") }]),
      skip: () => this.skip(),
      guidelines: () => this.toggle("guidelines"), help: () => this.toggle("help"),
    };
  }

  /** The function an action name stands for (labels and polarities come from the page data). */
  action(name) {
    const fixed = this.actionTable()[name];
    if (fixed) return fixed;
    const label = /^label-(\d)$/.exec(name);
    if (label) return () => this.label(this.vocab.labels[+label[1] - 1]);
    if (name.startsWith("polarity-")) return () => this.setPolarity(name.slice(9));
    return null;
  }

  openSelected() {
    const item = this.selected();
    if (!item) return;
    if (this.sel.layer !== "entities") this.open = { layer: this.sel.layer, uid: this.sel.uid };
    this.refreshBoxes();
    const box = $(this.sel.layer === "quotes" ? "quote-box" : this.sel.layer === "stances" ? "stance-box" : "inspector");
    box.scrollIntoView({ block: "nearest" });
    this.view.reveal(spanOf(this.sel.layer, item).start);
  }

  onKey(event) {
    const name = keyName(event);
    if (this.asking) {
      const choice = this.asking.find((c) => c.key === name);
      if (choice || name === "Escape") { event.preventDefault(); this.answer(choice || { run: () => {} }); }
      return;
    }
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select")) {
      this.domTouched = true;
      if (target.id === "find-input" && name === "Enter") { event.preventDefault(); this.find(target.value.trim()); }
      if (name === "Escape") { target.blur(); if (target.id === "find-input") $("find").hidden = true; }
      return;
    }
    if (target.closest && target.closest("button, a") && (name === "Enter" || name === " ")) return;
    const action = this.keys.get(name);
    const run = action && this.action(action);
    if (!run) {  // the browser's own key may move its selection (a modifier alone does not)
      if (!["Shift", "Control", "Alt", "Meta", "CapsLock"].includes(event.key)) this.domTouched = true;
      return;
    }
    event.preventDefault();
    run();
  }

  /* Mouse and panel controls (everything here also has a key). */

  onMouseUp(event) {
    const dom = window.getSelection();
    if (dom.rangeCount && !dom.isCollapsed) {
      const r = dom.getRangeAt(0);
      const a = this.view.offsetOf(r.startContainer, r.startOffset), b = this.view.offsetOf(r.endContainer, r.endOffset);
      const span = snap(this.bounds, Math.min(a, b), Math.max(a, b));
      if (span) { this.selectText(span); return; }
    }
    const mark = event.target.closest("mark.ent");
    if (mark) this.selectItem("entities", mark.dataset.uid, false); else this.selectText(null);
  }

  on(id, type, handler) { $(id).addEventListener(type, handler); }

  wire() {
    const article = $("article");
    for (const type of ["mousedown", "mouseup"]) document.addEventListener(type, () => { this.domTouched = true; }, true);
    article.addEventListener("mouseup", (e) => this.onMouseUp(e));
    article.addEventListener("mouseover", (e) => { const seg = e.target.closest("[data-q]"); if (seg) seg.dataset.q.split(" ").forEach((u) => this.view.highlightQuote(u, true)); });
    article.addEventListener("mouseout", (e) => { const seg = e.target.closest("[data-q]"); if (seg) seg.dataset.q.split(" ").forEach((u) => this.view.highlightQuote(u, false)); });
    this.keyHandler = (e) => this.onKey(e);
    document.addEventListener("keydown", this.keyHandler);
    const keep = (e) => e.preventDefault();  // buttons must not take the text selection away
    for (const id of ["palette", "make-quote", "make-stance", "entity-delete", "quote-set-speaker", "quote-set-cue"]) this.on(id, "mousedown", keep);
    this.on("palette", "click", (e) => { const b = e.target.closest("[data-label]"); if (b) this.label(b.dataset.label); });
    this.on("make-quote", "click", () => this.newQuote());
    this.on("make-stance", "click", () => this.newStance());
    this.on("entity-delete", "click", () => this.deleteSelected());
    this.on("quote-set-speaker", "click", () => this.speaker(1));
    this.on("quote-set-cue", "click", () => this.setCue());
    this.on("quote-kind", "change", (e) => { const q = this.openQuote(); if (q) this.updateQuote(q, { kind: e.target.value }); });
    this.on("quote-entity", "change", (e) => {
      const q = this.openQuote(), ent = this.store.get("entities", e.target.value);
      if (q) this.updateQuote(q, ent ? { speaker: nounPhrase(this.text, this.bounds, ent), speaker_entity: ent.uid } : { speaker_entity: null });
    });
    this.on("quote-delete", "click", () => { const q = this.openQuote(); if (q) this.edit([{ op: "delete", layer: "quotes", uid: q.uid }]); });
    this.on("quote-close", "click", () => { this.open = null; this.refreshBoxes(); });
    const stanceOpen = () => { if (this.open && this.open.layer === "stances" && !this.selectedStance()) this.selectItem("stances", this.open.uid, false); };
    this.on("stance-holder", "change", (e) => { stanceOpen(); const ent = this.store.get("entities", e.target.value); this.updateStance({ holder_entity: ent ? ent.uid : null, holder: ent ? this.name(ent) : "" }); });
    this.on("stance-target", "change", (e) => { stanceOpen(); const ent = this.store.get("entities", e.target.value); this.updateStance({ target_entity: ent ? ent.uid : null, target: ent ? this.name(ent) : $("stance-topic").value.trim() }); });
    this.on("stance-topic", "change", (e) => { stanceOpen(); this.updateStance({ target_entity: null, target: e.target.value.trim() }); });
    this.on("stance-polarity", "change", (e) => { stanceOpen(); this.setPolarity(e.target.value); });
    this.on("stance-delete", "click", () => { stanceOpen(); this.deleteSelected(); });
    this.on("stance-close", "click", () => { this.open = null; this.draft = null; this.refreshBoxes(); });
    for (const [list, layer] of [["quote-list", "quotes"], ["stance-list", "stances"]]) {
      this.on(list, "click", (e) => { const li = e.target.closest("li[data-uid]"); if (li) this.selectItem(layer, li.dataset.uid); });
    }
    this.on("quote-list", "mouseover", (e) => { const li = e.target.closest("li[data-uid]"); if (li) this.view.highlightQuote(li.dataset.uid, true); });
    this.on("quote-list", "mouseout", (e) => { const li = e.target.closest("li[data-uid]"); if (li) this.view.highlightQuote(li.dataset.uid, false); });
    this.on("do-undo", "click", () => this.undo());
    this.on("do-redo", "click", () => this.redo());
    this.on("do-help", "click", () => this.toggle("help"));
    this.on("do-guidelines", "click", () => this.toggle("guidelines"));
    this.on("do-accept", "click", () => this.finish("accept"));
    this.on("do-reject", "click", () => this.action("reject")());
    this.on("do-skip", "click", () => this.skip());
    for (const id of ["help", "guidelines"]) this.on(id, "click", (e) => { if (e.target.id === id) this.toggle(id, false); });
    this.on("conflict-merge", "click", () => this.rebaseOnto(this.server));
    this.on("conflict-show", "click", () => { const pre = $("conflict-server"); pre.textContent = this.serverSummary(this.server); pre.hidden = !pre.hidden; });
    this.on("conflict-reload", "click", () => { this.queue.takeUnsent(); this.saveBackup(); window.location.reload(); });
    this.on("restore-apply", "click", () => this.restoreBackups(true));
    this.on("restore-discard", "click", () => this.restoreBackups(false));
    window.addEventListener("beforeunload", (e) => { if (this.queue.unsent().length) { this.saveBackup(); this.queue.flush(); e.preventDefault(); e.returnValue = ""; } });
  }
}

const editor = new Editor(JSON.parse($("editor-data").textContent));
editor.start();
window.annotatorEditor = editor;  // for browser tests and the benchmark
