// The side panel: quote and stance lists (only touched rows are redrawn), and the boxes for the
// selected entity, the open quote and the open stance.
import { $, el, clip } from "./dom.js";
import { spanOf } from "./store.js";

const LISTS = { quotes: "quote-list", stances: "stance-list" };
const COUNTS = { quotes: "quote-count", stances: "stance-count" };
const EMPTY = { quotes: "No quotes yet: select the quoted words and press q.",
  stances: "No stances yet: select the evidence and press t." };

export class Panels {
  constructor(text, store, refusals = () => null, words = null) {
    this.text = text; this.store = store; this.refusals = refusals;
    this.words = words;  // the page's vocabulary (annotator/vocab.py)
  }

  slice(span) { return span ? this.text.slice(span.start, span.end) : ""; }

  entityName(uid) {
    const e = uid ? this.store.get("entities", uid) : null;
    return e ? this.slice(e) : "";
  }

  /** Draw both lists from scratch (once, and after a merge). */
  renderLists() {
    for (const layer of Object.keys(LISTS)) {
      const list = $(LISTS[layer]);
      list.textContent = "";
      for (const item of this.store.sorted(layer)) list.appendChild(this.row(layer, item));
      this.count(layer);
    }
  }

  /** Redraw only these rows of a layer's list (added, changed or deleted items). */
  updateRows(layer, uids) {
    const list = $(LISTS[layer]);
    if (!list) return;
    for (const uid of uids) {
      const old = list.querySelector(`li[data-uid="${CSS.escape(uid)}"]`);
      const item = this.store.get(layer, uid);
      if (old) old.remove();
      if (!item) continue;
      const row = this.row(layer, item, old && old.getAttribute("aria-selected") === "true");
      const start = spanOf(layer, item).start;
      const after = [...list.children].find((li) => li.dataset.s !== undefined && +li.dataset.s > start);
      list.insertBefore(row, after || null);
    }
    this.count(layer);
  }

  count(layer) {
    const list = $(LISTS[layer]);
    const n = list.querySelectorAll("li[data-uid]").length;
    $(COUNTS[layer]).textContent = String(n);
    const empty = list.querySelector("li.empty");
    if (!n && !empty) list.appendChild(el("li", "empty", EMPTY[layer]));
    if (n && empty) empty.remove();
  }

  row(layer, item, selected = false) {
    const li = layer === "quotes" ? this.quoteItem(item) : this.stanceItem(item);
    li.dataset.uid = item.uid; li.dataset.s = spanOf(layer, item).start; li.tabIndex = -1;
    const refused = this.refusals(item.uid);
    if (refused) { li.classList.add("refused"); li.appendChild(el("div", "refusal", `Not saved: ${refused}`)); }
    if (selected) { li.classList.add("selected"); li.setAttribute("aria-selected", "true"); }
    return li;
  }

  /** Mark one row as the selection (or none). */
  select(layer, uid) {
    for (const li of document.querySelectorAll(".items li[aria-selected=true]")) {
      li.classList.remove("selected"); li.removeAttribute("aria-selected");
    }
    const li = uid && LISTS[layer] && $(LISTS[layer]).querySelector(`li[data-uid="${CSS.escape(uid)}"]`);
    if (li) { li.classList.add("selected"); li.setAttribute("aria-selected", "true"); li.scrollIntoView({ block: "nearest" }); }
  }

  quoteItem(q) {
    const li = el("li", `item quote-item origin-${q.origin}`);
    li.appendChild(el("span", `kind kind-${q.kind}`, q.kind));
    li.appendChild(el("q", "", clip(this.slice(q.content))));
    const meta = el("div", "meta");
    meta.appendChild(el("span", "speaker", q.speaker ? this.slice(q.speaker) : "no speaker"));
    const name = this.entityName(q.speaker_entity);
    if (name) { meta.appendChild(el("span", "arrow", "→")); meta.appendChild(el("span", "chip", name)); }
    if (q.cue) meta.appendChild(el("span", "cue-text", `“${this.slice(q.cue)}”`));
    li.appendChild(meta);
    return li;
  }

  stanceItem(s) {
    const li = el("li", `item stance-item origin-${s.origin}`);
    li.appendChild(el("strong", "holder", this.entityName(s.holder_entity) || s.holder || "?"));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", `polarity polarity-${s.polarity}`, s.polarity));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("strong", "target", this.entityName(s.target_entity) || s.target || "?"));
    li.appendChild(el("div", "meta evidence", clip(this.slice(s.evidence), 140)));
    return li;
  }

  /** Show the selected entity, or the hint. */
  showEntity(ent) {
    $("entity-box").hidden = !ent;
    $("inspector-hint").hidden = !!ent;
    if (!ent) return;
    const chip = $("entity-label");
    chip.className = `chip label-${ent.label}`;
    chip.textContent = ent.label;
    $("entity-text").textContent = this.slice(ent);
    const refused = this.refusals(ent.uid);
    $("entity-origin").textContent = refused ? `Not saved: ${refused}` : ent.origin === this.words.origin.MODEL ? "model suggestion" : "";
    $("entity-origin").classList.toggle("refusal", !!refused);
    const links = this.store.linksTo(ent.uid).length;
    $("entity-links").textContent = links ? `${links} quote(s) or stance(s) link here` : "";
  }

  /** Show the open quote's fields, or hide the box. */
  showQuote(q, speakerLabels) {
    $("quote-box").hidden = !q;
    if (!q) return;
    $("quote-origin").textContent = q.origin === this.words.origin.MODEL ? "model suggestion" : "";
    $("quote-text").textContent = clip(this.slice(q.content), 400);
    $("quote-speaker").textContent = q.speaker ? this.slice(q.speaker) : "none";
    $("quote-cue").textContent = q.cue ? this.slice(q.cue) : "none";
    $("quote-kind").value = q.kind;
    this.chooseEntity($("quote-entity"), q.speaker_entity, (e) => speakerLabels.includes(e.label));
    const refused = this.refusals(q.uid);
    $("quote-refusal").textContent = refused ? `Not saved: ${refused}` : "";
    $("quote-refusal").hidden = !refused;
  }

  /** Entity options of a select: "name (LABEL, mention n)"; the current value always listed. */
  fillEntities(select, current, keep) {
    select.textContent = "";
    select.appendChild(new Option("— none —", ""));
    const mentions = new Map();
    for (const e of this.store.sorted("entities")) {
      const name = this.slice(e), n = (mentions.get(name) || 0) + 1;
      mentions.set(name, n);
      if (keep(e) || e.uid === current) select.appendChild(new Option(`${name} (${e.label}${n > 1 ? `, mention ${n}` : ""})`, e.uid));
    }
    select.value = current || "";
  }

  /**
   * Show only the current entity in a select; the full list is built when the select is used
   * (on a long article that list has thousands of options; keys pick entities without it).
   */
  chooseEntity(select, current, keep) {
    select.textContent = "";
    select.appendChild(new Option("— none —", ""));
    const ent = current && this.store.get("entities", current);
    if (ent) select.appendChild(new Option(`${this.slice(ent)} (${ent.label})`, ent.uid));
    select.value = ent ? ent.uid : "";
    select.onfocus = select.onmousedown = () => {
      select.onfocus = select.onmousedown = null;
      this.fillEntities(select, current, keep);
    };
  }

  /** Show a stance (saved or a draft), or hide the box. */
  showStance(s, speakerLabels) {
    $("stance-box").hidden = !s;
    if (!s) return;
    $("stance-title").textContent = s.draft ? "New stance: pick holder (h) and target (o)" : "Stance";
    $("stance-evidence").textContent = clip(this.slice(s.evidence), 300);
    this.chooseEntity($("stance-holder"), s.holder_entity, (e) => speakerLabels.includes(e.label));
    this.chooseEntity($("stance-target"), s.target_entity, () => true);
    $("stance-topic").value = s.target_entity ? "" : s.target || "";
    $("stance-holder-name").textContent = s.holder_entity ? "" : s.holder || "";
    for (const input of document.querySelectorAll("#stance-polarity input")) input.checked = input.value === s.polarity;
    $("stance-delete").hidden = !!s.draft;
    const refused = s.draft ? null : this.refusals(s.uid);
    $("stance-refusal").textContent = refused ? `Not saved: ${refused}` : "";
    $("stance-refusal").hidden = !refused;
  }
}
