// The article view: an edit re-renders only what it touches, in place.
import { test, eq, ok } from "./harness.js";
import { Store } from "/static/js/store.js";
import { ArticleView } from "/static/js/render.js";

const TEXT = "Ann Lee met Bob Ray in Rome.\nThe ORG said so.\nLast line here.";
const ent = (uid, start, end, label) => ({ uid, start, end, label, origin: "model" });

function view(entities, quotes = []) {
  const root = document.createElement("article");
  document.body.appendChild(root);
  const store = new Store({ entities, quotes, stances: [] });
  const v = new ArticleView(root, TEXT, store);
  v.renderAll();
  return { root, store, v };
}

test("render: one paragraph per line, marks carry their span and label", () => {
  const { root } = view([ent("a", 0, 7, "PERSON"), ent("b", 12, 19, "PERSON"), ent("c", 33, 36, "ORG")]);
  eq([...root.children].map((p) => [+p.dataset.s, +p.dataset.e]), [[0, 29], [29, 46], [46, 61]]);
  eq([...root.querySelectorAll("mark")].map((m) => [m.dataset.uid, m.dataset.label, m.textContent]),
    [["a", "PERSON", "Ann Lee"], ["b", "PERSON", "Bob Ray"], ["c", "ORG", "ORG"]]);
  eq(root.textContent, TEXT);
});

test("render: a relabel refills its paragraph in place and replaces only the changed mark", () => {
  const { root, store, v } = view([ent("a", 0, 7, "PERSON"), ent("b", 12, 19, "PERSON"), ent("c", 33, 36, "ORG")]);
  const paras = [...root.children], marks = [...root.querySelectorAll("mark")];
  store.apply({ op: "upsert", layer: "entities", item: { ...store.get("entities", "b"), label: "ORG" } });
  v.updateSpans([{ start: 12, end: 19 }, { start: 12, end: 19 }]);
  ok([...root.children].every((p, i) => p === paras[i]), "every paragraph element is kept");
  const now = [...root.querySelectorAll("mark")];
  ok(now[0] === marks[0] && now[2] === marks[2], "untouched marks are the same elements");
  ok(now[1] !== marks[1], "the relabelled mark is new");
  eq(now[1].dataset.label, "ORG");
  eq(root.textContent, TEXT);
});

test("render: growing an entity over a line break merges the paragraphs it joins, and back", () => {
  const { root, store, v } = view([ent("a", 0, 7, "PERSON")]);
  store.apply({ op: "upsert", layer: "entities", item: ent("x", 23, 32, "GPE") });  // "Rome.\nThe"
  v.updateSpans([{ start: 23, end: 32 }]);
  eq([...root.children].map((p) => [+p.dataset.s, +p.dataset.e]), [[0, 46], [46, 61]]);
  eq(root.querySelector('mark[data-uid="x"]').textContent, "Rome.\nThe");
  store.apply({ op: "delete", layer: "entities", uid: "x" });
  v.updateSpans([{ start: 23, end: 32 }]);
  eq([...root.children].map((p) => [+p.dataset.s, +p.dataset.e]), [[0, 29], [29, 46], [46, 61]]);
  eq(root.textContent, TEXT);
});

test("render: quote roles cut segments; offsets map back to characters", () => {
  const quote = { uid: "q", content: { start: 33, end: 44 }, cue: { start: 37, end: 41 }, speaker: null, kind: "indirect" };
  const { root, v } = view([ent("c", 33, 36, "ORG")], [quote]);
  eq([...root.querySelectorAll(".seg.cue")].map((s) => s.textContent), ["said"]);
  eq([...root.querySelectorAll("[data-q~=q]")].map((s) => s.textContent).join(""), "ORG said so");
  const r = v.range(37, 41);
  eq(v.offsetOf(r.startContainer, r.startOffset), 37);
  eq(v.offsetOf(r.endContainer, r.endOffset), 41);
});
