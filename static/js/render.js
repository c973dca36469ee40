// The article as DOM: entity <mark>s and plain segments, each knowing its character range.
// Text goes in only through createTextNode; an edit re-renders just the pieces it touches.

/** Quote roles as intervals: content (q), cue and speaker (spk), each with its quote uid. */
function roleIntervals(store) {
  const out = [];
  for (const q of store.all("quotes")) {
    out.push([q.content.start, q.content.end, "q", q.uid]);
    if (q.cue) out.push([q.cue.start, q.cue.end, "cue", q.uid]);
    if (q.speaker) out.push([q.speaker.start, q.speaker.end, "spk", q.uid]);
  }
  return out;
}

/** Index of the first element whose data-e is above the offset (elements in text order). */
function pieceIndex(elements, offset) {
  let lo = 0, hi = elements.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (+elements[mid].dataset.e <= offset) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Make old's children equal fresh's, replacing only the run between their equal heads and tails. */
function patch(old, fresh) {
  const a = [...old.childNodes], b = [...fresh.childNodes];
  let head = 0, tail = 0;
  while (head < a.length && head < b.length && a[head].isEqualNode(b[head])) head++;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail].isEqualNode(b[b.length - 1 - tail])) tail++;
  for (let k = head; k < a.length - tail; k++) a[k].remove();
  const before = tail ? a[a.length - tail] : null;
  for (let k = head; k < b.length - tail; k++) old.insertBefore(b[k], before);
}

export class ArticleView {
  /** refusals(uid) gives the reason the server refused an item's last edit (or null). */
  constructor(root, text, store, refusals = () => null) {
    this.root = root; this.text = text; this.store = store; this.refusals = refusals;
    this.selected = null;
    // Which paragraphs are wholly on screen (between the sticky palette and the status bar), kept by
    // the browser as it scrolls, so revealing an item needs no layout read when it is already shown.
    this.shown = new WeakSet();
    this.watcher = window.IntersectionObserver ? new IntersectionObserver((entries) => {
      for (const e of entries) if (e.intersectionRatio >= 0.99) this.shown.add(e.target); else this.shown.delete(e.target);
    }, { threshold: [0, 0.99], rootMargin: "-64px 0px -64px 0px" }) : null;
  }

  /** Build the whole article once. */
  renderAll() {
    if (this.watcher) this.watcher.disconnect();
    this.root.textContent = "";
    this.root.appendChild(this.build(0, this.text.length));
  }

  /** Re-render the paragraphs covering [start, end); the rest of the article is left alone. */
  update(start, end) { this.updateSpans([{ start, end }]); }

  /** Re-render the paragraphs covering any of these spans, each paragraph once. */
  updateSpans(spans) {
    const blocks = this.root.children;
    if (!blocks.length) { this.renderAll(); return; }
    const runs = spans.map(({ start, end }) => [pieceIndex(blocks, Math.max(0, start)),
      pieceIndex(blocks, Math.max(0, Math.min(end, this.text.length) - 1))]).sort((x, y) => y[0] - x[0]);
    for (let k = 0; k < runs.length; k++) {  // last run first, so earlier indices stay valid
      let [i, j] = runs[k];
      while (k + 1 < runs.length && runs[k + 1][1] >= i - 1) { k += 1; i = Math.min(i, runs[k][0]); j = Math.max(j, runs[k][1]); }
      this.rebuild(i, j);
    }
  }

  /** Re-render paragraphs i..j. */
  rebuild(i, j) {
    const blocks = this.root.children;
    const a = +blocks[i].dataset.s, b = +blocks[j].dataset.e;
    const frag = this.build(a, b), fresh = [...frag.children];
    if (fresh.length === j - i + 1 && fresh.every((f, k) => f.dataset.e === blocks[i + k].dataset.e)) {
      // Same paragraphs: refill them in place, so each keeps its element (and the size the browser
      // remembers for content-visibility); a new element would start out skipped at its placeholder
      // height and move everything below it for a frame.
      fresh.forEach((f, k) => patch(blocks[i + k], f));
      return;
    }
    const after = blocks[j].nextSibling;
    for (let k = j; k >= i; k--) { if (this.watcher) this.watcher.unobserve(blocks[k]); blocks[k].remove(); }
    this.root.insertBefore(frag, after);
  }

  /** Paragraph blocks for [a, b): one per line, except where an entity crosses the line break. */
  build(a, b) {
    const frag = document.createDocumentFragment();
    const roles = roleIntervals(this.store).filter(([s, e]) => s < b && a < e);
    const ents = this.store.all("entities").filter((e) => e.start >= a && e.end <= b).sort((x, y) => x.start - y.start);
    let blockStart = a, searchFrom = a, k = 0;
    while (blockStart < b) {
      let cut = this.text.indexOf("\n", searchFrom);
      cut = cut < 0 || cut + 1 > b ? b : cut + 1;
      while (k < ents.length && ents[k].end <= cut) k++;
      if (k < ents.length && ents[k].start < cut && cut < b) { searchFrom = ents[k].end; continue; }  // never split an entity
      const block = document.createElement("div");
      block.className = this.text.slice(blockStart, cut).trim() ? "para" : "para blank";
      block.dataset.s = blockStart; block.dataset.e = cut;
      this.fill(block, blockStart, cut, ents, roles);
      frag.appendChild(block);
      if (this.watcher) this.watcher.observe(block);
      blockStart = searchFrom = cut;
    }
    return frag;
  }

  /** Marks for the entities inside [a, b), segments elsewhere. */
  fill(parent, a, b, ents, roles) {
    let pos = a;
    for (const ent of ents) {
      if (ent.start < a || ent.end > b) continue;
      if (pos < ent.start) this.segments(parent, pos, ent.start, roles);
      parent.appendChild(this.mark(ent, roles));
      pos = ent.end;
    }
    if (pos < b) this.segments(parent, pos, b, roles);
  }

  mark(ent, roles) {
    const m = document.createElement("mark");
    m.className = `ent label-${ent.label} origin-${ent.origin}`;
    m.dataset.uid = ent.uid; m.dataset.label = ent.label;
    m.dataset.s = ent.start; m.dataset.e = ent.end;
    const refused = this.refusals(ent.uid);
    if (refused) { m.classList.add("refused"); m.title = `Not saved: ${refused}`; }
    if (ent.uid === this.selected) { m.classList.add("selected"); m.setAttribute("aria-selected", "true"); }
    this.segments(m, ent.start, ent.end, roles);
    return m;
  }

  /** Append spans for [a, b), cut wherever a quote role starts or ends. */
  segments(parent, a, b, roles) {
    const inside = roles.filter(([s, e]) => s < b && a < e);
    const cuts = new Set([a, b]);
    for (const [s, e] of inside) { if (s > a && s < b) cuts.add(s); if (e > a && e < b) cuts.add(e); }
    const points = [...cuts].sort((x, y) => x - y);
    for (let k = 0; k + 1 < points.length; k++) {
      const s = points[k], e = points[k + 1];
      const span = document.createElement("span");
      span.className = "seg";
      const uids = new Set();
      for (const [rs, re, role, uid] of inside) {
        if (rs <= s && e <= re) { span.classList.add(role); uids.add(uid); }
      }
      if (uids.size) span.dataset.q = [...uids].join(" ");
      span.dataset.s = s; span.dataset.e = e;
      span.appendChild(document.createTextNode(this.text.slice(s, e)));
      parent.appendChild(span);
    }
  }

  /** The character offset of a DOM point (clamped to the article). */
  offsetOf(node, offset) {
    if (!this.root.contains(node)) {
      return node.compareDocumentPosition(this.root) & Node.DOCUMENT_POSITION_FOLLOWING ? 0 : this.text.length;
    }
    if (node.nodeType === Node.TEXT_NODE) return +node.parentElement.closest("[data-s]").dataset.s + offset;
    if (offset < node.childNodes.length) return this.startOf(node.childNodes[offset]);
    return node === this.root ? this.text.length : +node.dataset.e;
  }

  startOf(node) {
    while (node && !(node.dataset && node.dataset.s !== undefined)) node = node.firstChild;
    return node ? +node.dataset.s : this.text.length;
  }

  /** The text node and in-node offset at a character offset. */
  locate(offset) {
    const block = this.root.children[pieceIndex(this.root.children, offset)];
    let el = block.children[pieceIndex(block.children, offset)];
    if (el.tagName === "MARK") el = el.children[pieceIndex(el.children, offset)];
    return { node: el.firstChild, offset: Math.min(offset - +el.dataset.s, el.firstChild.length) };
  }

  /** A DOM Range over [start, end). */
  range(start, end) {
    const r = document.createRange();
    const a = this.locate(start), b = this.locate(Math.max(start, end - 1));
    r.setStart(a.node, a.offset);
    r.setEnd(b.node, b.offset + (end > start ? 1 : 0));
    return r;
  }

  /** Show one entity as selected (focus ring, aria-selected), or none. */
  select(uid) {
    const old = this.selected && this.markOf(this.selected);
    if (old) { old.classList.remove("selected"); old.removeAttribute("aria-selected"); }
    this.selected = uid;
    const m = uid && this.markOf(uid);
    if (m) { m.classList.add("selected"); m.setAttribute("aria-selected", "true"); }
    return m;
  }

  /** Highlight a span of text without touching the DOM (CSS custom highlight), or clear it. */
  highlight(name, span) {
    if (!window.CSS || !CSS.highlights) return;
    if (!span) { CSS.highlights.delete(name); return; }
    CSS.highlights.set(name, new Highlight(this.range(span.start, span.end)));
  }

  /** Scroll the paragraph holding an offset into view, unless it is already wholly shown. */
  reveal(offset) {
    const block = this.root.children[pieceIndex(this.root.children, offset)];
    if (block && !this.shown.has(block)) block.scrollIntoView({ block: "nearest" });
  }

  /** The <mark> of an entity (looked up in its own paragraph). */
  markOf(uid) {
    const ent = this.store.get("entities", uid);
    const block = ent && this.root.children[pieceIndex(this.root.children, ent.start)];
    return block ? block.querySelector(`mark[data-uid="${CSS.escape(uid)}"]`) : null;
  }

  /** Toggle a class on every segment of a quote. */
  highlightQuote(uid, on) {
    for (const el of this.root.querySelectorAll(`[data-q~="${CSS.escape(uid)}"]`)) {
      el.classList.toggle("hl", on);
      if (el.parentElement.tagName === "MARK") el.parentElement.classList.toggle("hl", on);
    }
  }
}
