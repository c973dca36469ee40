// Review page: take, remove, accept, undo, sign off and reopen through the review JSON API and
// update the page in place. The keys come from the `?` overlay (rows with data-action and
// data-key), so the help and the key map are one list.

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const data = JSON.parse(document.getElementById("review-data").textContent);

class Review {
  constructor(page) {
    this.api = page.api;
    this.gold = page.gold;
    this.keys = page.keys;
    this.words = page.vocab;  // annotator/vocab.py's words
    this.index = new Map(page.keys.map((key, i) => [key, i]));
    this.items = document.getElementById("review-items");
    this.article = document.getElementById("gold-text");
    this.text = this.article.textContent;
    this.message = document.getElementById("message");
    this.pending = null; // a take refused for a collision, ready to be replaced with `r`
    this.busy = false;
  }

  rows() {
    return [...this.items.querySelectorAll(".row")].filter((row) => row.offsetParent !== null);
  }

  focusRow(step, onlyDisagreements = false) {
    const all = this.rows();
    if (!all.length) return;
    let at = all.indexOf(document.activeElement.closest(".row"));
    do {
      at = at < 0 ? (step > 0 ? 0 : all.length - 1) : at + step;
    } while (onlyDisagreements && at >= 0 && at < all.length && !all[at].classList.contains("disagree"));
    const next = all[Math.min(all.length - 1, Math.max(0, at))];
    if (onlyDisagreements && !next.classList.contains("disagree")) return this.say("No disagreement further down.", "info");
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  focused() {
    return document.activeElement && document.activeElement.closest(".row");
  }

  say(text, kind = "info") {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
  }

  async post(action, body = {}) {
    if (this.busy) return null;
    this.busy = true;
    try {
      const response = await fetch(`${this.api}/${action}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ version: this.gold.version, ...body }),
        credentials: "same-origin",
      });
      const answer = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
      if (response.ok) {
        this.apply(answer);
        this.say(answer.message, "success");
        return answer;
      }
      if (answer.current !== undefined) this.apply(answer.current);
      this.say(answer.error || `Not saved (${response.status}).`, "error");
      return { refused: answer, status: response.status };
    } catch (err) {
      this.say(`Not saved: the server could not be reached (${err.message}).`, "error");
      return null;
    } finally {
      this.busy = false;
    }
  }

  async take(alt, replace = false) {
    if (!alt || !alt.dataset.source || alt.classList.contains("in-gold")) return;
    const item = { source: alt.dataset.source, layer: alt.closest(".row").dataset.layer, uid: alt.dataset.uid };
    const result = await this.post("take", { ...item, replace });
    this.pending = null;
    if (result && result.refused && result.refused.field === "replace") {
      this.pending = alt;
      this.say(`${result.refused.error} Press r to take it in their place.`, "error");
    }
  }

  remove(alt) {
    if (alt && alt.dataset.gold) this.post("remove", { layer: alt.closest(".row").dataset.layer, uid: alt.dataset.gold });
  }

  apply(gold) {
    if (!gold) return;
    this.gold = { version: gold.version, status: gold.status };
    const inGold = new Map();
    for (const [key, uid] of Object.entries(gold.review ? gold.review.in_gold : {})) {
      if (this.index.has(key)) inGold.set(String(this.index.get(key)), uid);
    }
    for (const alt of this.items.querySelectorAll(".alt")) {
      const uid = inGold.get(alt.dataset.i);
      alt.classList.toggle("in-gold", uid !== undefined);
      if (uid !== undefined) alt.dataset.gold = uid;
      else delete alt.dataset.gold;
      alt.hidden = alt.classList.contains("gold-only") && uid === undefined;
    }
    for (const input of document.querySelectorAll('input[name="gold_version"]')) input.value = gold.version;
    this.items.classList.toggle("signed-off", gold.status === this.words.status.REVIEWED);
    const state = document.getElementById("gold-state");
    state.textContent = `${gold.status.replace("_", " ")} · v${gold.version}`;
    state.className = `status status-${gold.status}`;
    if (gold.annotation) renderGold(this.article, this.text, gold.annotation);
  }
}

// The gold text: the article cut at every span boundary; entities as <mark>, quote parts as classes.
function renderGold(article, text, annotation) {
  const spans = [];
  for (const e of annotation.entities) spans.push([e.start, e.end, "entity", e.label]);
  for (const q of annotation.quotes) {
    spans.push([q.content.start, q.content.end, "quote"]);
    if (q.cue) spans.push([q.cue.start, q.cue.end, "cue"]);
    if (q.speaker) spans.push([q.speaker.start, q.speaker.end, "speaker"]);
  }
  const cuts = [...new Set([0, text.length, ...spans.flatMap(([s, e]) => [s, e])])].sort((a, b) => a - b);
  const fragment = document.createDocumentFragment();
  const opened = spans.slice().sort((a, b) => a[0] - b[0]);
  let live = [];
  let next = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    while (next < opened.length && opened[next][0] <= start) live.push(opened[next++]);
    live = live.filter((s) => s[1] > start);
    const covering = live.filter((s) => s[0] <= start && end <= s[1]);
    const entity = covering.find((s) => s[2] === "entity");
    const roles = [...new Set(covering.filter((s) => s[2] !== "entity").map((s) => s[2]))];
    const node = document.createTextNode(text.slice(start, end));
    if (entity) {
      const mark = document.createElement("mark");
      mark.className = ["ent", `label-${entity[3]}`, ...roles].join(" ");
      mark.dataset.label = entity[3];
      mark.appendChild(node);
      fragment.appendChild(mark);
    } else if (roles.length) {
      const span = document.createElement("span");
      span.className = roles.join(" ");
      span.appendChild(node);
      fragment.appendChild(span);
    } else {
      fragment.appendChild(node);
    }
  }
  article.replaceChildren(fragment);
}

const review = new Review(data);
const help = document.getElementById("help");
const filter = document.getElementById("only-disagreements");
const toggleHelp = (show = help.hidden) => { help.hidden = !show; };
const setFilter = (on) => {
  filter.checked = on;
  review.items.classList.toggle("only-disagreements", on);
};
const rowAlts = (row) => (row ? [...row.querySelectorAll(".alt")].filter((alt) => !alt.hidden) : []);
const merged = filter !== null; // the side-by-side view keeps plain forms (a reload per action)
const submit = (id) => {
  const button = document.querySelector(`#${id} button[type="submit"]`);
  if (button && !button.disabled) button.click();
};
const clickIn = (row, action) => {
  const button = row && row.querySelector(`button[data-action="${action}"]`);
  if (button) button.click();
};

const sideActions = {
  take: () => clickIn(review.focused(), "take"),
  remove: () => clickIn(review.focused(), "remove"),
  "accept-agreed": () => submit("accept-agreed"),
  undo: () => submit("undo"),
  save: () => submit("save-gold"),
  reopen: () => submit("reopen"),
};

const actions = {
  next: () => review.focusRow(1),
  previous: () => review.focusRow(-1),
  "next-disagreement": () => review.focusRow(1, true),
  take: () => review.take(rowAlts(review.focused()).find((alt) => !alt.classList.contains("in-gold"))),
  "take-nth": (event) => review.take(rowAlts(review.focused())[Number(event.key) - 1]),
  replace: () => review.pending && review.take(review.pending, true),
  remove: () => review.remove(rowAlts(review.focused()).find((alt) => alt.dataset.gold)),
  "accept-agreed": () => {
    const button = document.querySelector("#accept-agreed button");
    if (button.disabled) review.say(button.title, "error");
    else review.post("agreed");
  },
  undo: () => review.post("undo"),
  disagreements: () => setFilter(!filter.checked),
  save: () => review.post("done"),
  reopen: () => review.post("reopen"),
  help: () => toggleHelp(),
  ...(merged ? {} : sideActions),
};

// The key map is the overlay: each row names an action and its key ("1-9" is a range).
const keymap = new Map();
for (const row of document.querySelectorAll("#key-map tr[data-action]")) {
  const { action, key } = row.dataset;
  const keys = key === "1-9" ? [..."123456789"] : [key];
  for (const k of keys) keymap.set(k, actions[action]);
}
keymap.set("ArrowDown", actions.next);
keymap.set("ArrowUp", actions.previous);

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
  if (event.key === "Escape") return toggleHelp(false);
  const action = keymap.get(event.key);
  if (!action) return;
  event.preventDefault();
  action(event);
});

review.items.addEventListener("click", (event) => {
  const button = merged && event.target.closest("button[data-action]");
  if (!button) return;
  const alt = button.closest(".alt");
  button.closest(".row").focus();
  if (button.dataset.action === "take") review.take(alt);
  else review.remove(alt);
});

// In the merged view the bar's forms go through the API too (plain forms without scripts).
for (const form of merged ? document.querySelectorAll("#review-bar form[data-api]") : []) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    review.post(form.dataset.api);
  });
}
if (merged) filter.addEventListener("change", () => setFilter(filter.checked));
document.getElementById("do-help").addEventListener("click", () => toggleHelp());
help.addEventListener("click", (event) => { if (event.target === help) toggleHelp(false); });

// After a plain-form action the page comes back at #row-id: focus that row so the keys carry on.
const target = location.hash && document.getElementById(location.hash.slice(1));
if (target && target.classList.contains("row")) target.focus();

// Agreement among the finished annotators comes from its JSON route, so the page never waits for it.
async function showFigures() {
  const line = document.getElementById("doc-figures");
  const answer = await fetch(line.dataset.url, { credentials: "same-origin" }).then((r) => r.json()).catch(() => null);
  const agreement = answer && answer.agreement;
  if (!agreement || agreement.annotators.length < 2) return;
  const o = agreement.overall;
  const n = agreement.items || {};
  const m = agreement.model_baseline || {};
  const f = (value) => (value === null || value === undefined ? "–" : value.toFixed(2));
  const figure = (name, label) => `${label} ${f(o[name])} (${n[name] ?? 0} items; vs model ${f(m[name])})`;
  line.textContent = `Agreement among finished annotators (${agreement.annotators.join(", ")}): ` +
    [figure("entities_exact_f1", "entities exact"), figure("quotes_f1", "quotes"), figure("cues", "cues"),
     `stance α ${f(o.stance_alpha)}`].join(" · ");
  line.hidden = false;
}
showFigures();
