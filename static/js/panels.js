// The side panel: quote and stance lists, and the boxes for the clicked entity and open quote.

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const SPEAKER_LABELS = new Set(["PERSON", "ORG", "NORP", "GPE"]);

function clip(text, n = 180) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

export class Panels {
  constructor(text, store) { this.text = text; this.store = store; }

  slice(span) { return span ? this.text.slice(span.start, span.end) : ""; }

  entityName(uid) {
    const e = uid ? this.store.get("entities", uid) : null;
    return e ? this.slice(e) : "";
  }

  /** Redraw both lists (a hundred items at most in practice: cheap). */
  renderLists(active) {
    const quotes = this.store.sorted("quotes");
    $("quote-count").textContent = String(quotes.length);
    const ql = $("quote-list");
    ql.textContent = "";
    for (const q of quotes) ql.appendChild(this.quoteItem(q, q.uid === active.quote));
    if (!quotes.length) ql.appendChild(el("li", "empty", "No quotes yet: select the quoted words and press q."));
    const stances = this.store.sorted("stances");
    $("stance-count").textContent = String(stances.length);
    const sl = $("stance-list");
    sl.textContent = "";
    for (const s of stances) sl.appendChild(this.stanceItem(s, s.uid === active.stance));
    if (!stances.length) sl.appendChild(el("li", "empty", "No stances yet: select the evidence and press t."));
  }

  quoteItem(q, active) {
    const li = el("li", `item quote-item origin-${q.origin}` + (active ? " active" : ""));
    li.dataset.uid = q.uid; li.tabIndex = 0;
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

  stanceItem(s, active) {
    const li = el("li", `item stance-item origin-${s.origin}` + (active ? " active" : ""));
    li.dataset.uid = s.uid; li.tabIndex = 0;
    li.appendChild(el("strong", "holder", this.entityName(s.holder_entity) || s.holder));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", `polarity polarity-${s.polarity}`, s.polarity));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("strong", "target", this.entityName(s.target_entity) || s.target));
    li.appendChild(el("div", "meta evidence", clip(this.slice(s.evidence), 140)));
    return li;
  }

  /** Show the clicked entity, or the hint. */
  showEntity(ent) {
    $("entity-box").hidden = !ent;
    $("inspector-hint").hidden = !!ent;
    if (!ent) return;
    const chip = $("entity-label");
    chip.className = `chip label-${ent.label}`;
    chip.textContent = ent.label;
    $("entity-text").textContent = this.slice(ent);
    $("entity-origin").textContent = ent.origin === "model" ? "model suggestion" : "";
  }

  /** Show the open quote's fields, or hide the box. */
  showQuote(q) {
    $("quote-box").hidden = !q;
    if (!q) return;
    $("quote-origin").textContent = q.origin === "model" ? "model suggestion" : "";
    $("quote-text").textContent = clip(this.slice(q.content), 400);
    $("quote-speaker").textContent = q.speaker ? this.slice(q.speaker) : "none";
    $("quote-cue").textContent = q.cue ? this.slice(q.cue) : "none";
    $("quote-kind").value = q.kind;
    const select = $("quote-entity");
    select.textContent = "";
    select.appendChild(new Option("— no entity —", ""));
    const mentions = new Map();
    for (const e of this.store.sorted("entities")) {
      const name = this.slice(e), n = (mentions.get(name) || 0) + 1;
      mentions.set(name, n);
      if (SPEAKER_LABELS.has(e.label) || e.uid === q.speaker_entity) {
        select.appendChild(new Option(`${name} (${e.label}${n > 1 ? `, mention ${n}` : ""})`, e.uid));
      }
    }
    select.value = q.speaker_entity || "";
  }

  /** Fill the entity-name suggestions of the stance form. */
  fillNames() {
    const list = $("entity-names");
    list.textContent = "";
    const seen = new Set();
    for (const e of this.store.sorted("entities")) {
      const name = this.slice(e);
      if (!seen.has(name)) { seen.add(name); list.appendChild(new Option(`${name}`, name)); }
    }
  }

  /** Show the stance form for a new (uid null) or existing stance. */
  showStance(draft) {
    $("stance-box").hidden = !draft;
    if (!draft) return;
    this.fillNames();
    $("stance-title").textContent = draft.uid ? "Stance" : "New stance";
    $("stance-evidence").textContent = clip(this.slice(draft.evidence), 300);
    $("stance-holder").value = this.entityName(draft.holder_entity) || draft.holder || "";
    $("stance-target").value = this.entityName(draft.target_entity) || draft.target || "";
    this.setPolarity(draft.polarity);
    $("stance-delete").hidden = !draft.uid;
  }

  setPolarity(polarity) {
    for (const input of document.querySelectorAll('#stance-polarity input')) input.checked = input.value === polarity;
  }

  /** The entity whose text is exactly this name (first mention), if any. */
  entityNamed(name) {
    return this.store.sorted("entities").find((e) => this.slice(e) === name) || null;
  }
}
