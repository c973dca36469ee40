// Store, history, offsets, candidates, keys and merge: the editor's pure modules.
import { test, eq, ok } from "./harness.js";
import { Store, opUid } from "/static/js/store.js";
import { History } from "/static/js/history.js";
import { moveEdge, nextToken, snap, tokenBounds } from "/static/js/offsets.js";
import { cycle, holderCandidates, nounPhrase, sentences, speakerCandidates, targetCandidates } from "/static/js/candidates.js";
import { keyName } from "/static/js/keys.js";
import { replayOps } from "/static/js/merge.js";

// "Iranian Foreign Minister Abbas Aragchi called it a “US project”, he said."
const TEXT = "Iranian Foreign Minister Abbas Aragchi called it a “US project”, he said.";
const words = [...TEXT.matchAll(/[\p{L}-]+|[^\s\p{L}]/gu)].map((m) => [m.index, m.index + m[0].length]);
const B = tokenBounds(words);
const at = (w, n = 0) => { let i = -1; for (let k = 0; k <= n; k++) i = TEXT.indexOf(w, i + 1); return { start: i, end: i + w.length }; };
const ent = (uid, w, label) => ({ uid, ...at(w), label, origin: "model" });
const ENTS = [ent("iran", "Iranian", "NORP"), ent("abbas", "Abbas Aragchi", "PERSON"), ent("us", "US", "GPE")];
const QUOTE = { uid: "q1", content: at("US project"), cue: at("called"), speaker: at("Iranian"), speaker_entity: "iran", kind: "direct", origin: "model" };
const STANCE = { uid: "s1", evidence: at("called it a “US project”"), holder: "Abbas Aragchi", holder_entity: "abbas", target: "US", target_entity: "us", polarity: "against" };
const store = () => new Store({ entities: ENTS, quotes: [QUOTE], stances: [STANCE] });
const SPEAKERS = ["PERSON", "ORG", "NORP", "GPE"];

test("store: an op returns the op that undoes it", () => {
  const s = store();
  const changed = { ...ENTS[0], label: "GPE" };
  const inverse = s.apply({ op: "upsert", layer: "entities", item: changed });
  eq(s.get("entities", "iran").label, "GPE");
  s.apply(inverse);
  eq(s.get("entities", "iran").label, "NORP");
  const undoNew = s.apply({ op: "upsert", layer: "entities", item: ent("new", "said", "ORG") });
  eq(undoNew, { op: "delete", layer: "entities", uid: "new" });
  eq(opUid(undoNew), "new");
});

test("store: reading order, exact spans and links", () => {
  const s = store();
  eq(s.inOrder().map((x) => x.uid), ["iran", "abbas", "s1", "us", "q1"]);
  eq(s.entityExact(at("US").start, at("US").end).uid, "us");
  eq(s.entityExact(at("US project").start, at("US project").end), null);
  eq(s.linksTo("abbas").map((l) => [l.layer, l.roles]), [["stances", ["holder_entity"]]]);
  const relink = s.relinkOps("iran", "abbas", "human");
  eq(relink.length, 1);
  eq([relink[0].item.speaker_entity, relink[0].item.origin], ["abbas", "human"]);
  eq(s.relinkOps("us", null)[0].item.target_entity, null);
});

test("history: undo, redo, and a new edit clears redo", () => {
  const h = new History();
  h.record(["a"], ["-a"]); h.record(["b"], ["-b"]);
  eq(h.undo(), ["-b"]); eq(h.redo(), ["b"]); eq(h.redo(), null);
  eq(h.undo(), ["-b"]); h.record(["c"], ["-c"]); eq(h.redo(), null);
  eq(h.undo(), ["-c"]); eq(h.undo(), ["-a"]); eq(h.undo(), null);
});

test("offsets: snapping to tokens and moving edges by one token", () => {
  eq(snap(B, at("Foreign").start + 2, at("Minister").start + 3), at("Foreign Minister"));
  eq(snap(B, at(" called").start, at(" called").start + 1), null);
  const abbas = at("Abbas Aragchi");
  eq(moveEdge(B, abbas, "start", true), at("Minister Abbas Aragchi"));
  eq(moveEdge(B, abbas, "start", false), at("Aragchi"));
  eq(moveEdge(B, abbas, "end", true), at("Abbas Aragchi called"));
  eq(moveEdge(B, abbas, "end", false), at("Abbas"));
  eq(moveEdge(B, at("Abbas"), "end", false), null, "never empty");
  eq(moveEdge(B, at("Iranian"), "start", true), null, "never before the text");
  eq(nextToken(B, abbas, 1), at("called"));
  eq(nextToken(B, abbas, -1), at("Minister"));
  eq(nextToken(B, at("."), 1), null);
});

test("candidates: a speaker is the person nearest the cue, as the whole noun phrase", () => {
  const list = speakerCandidates(ENTS, QUOTE, SPEAKERS);
  eq(list.map((e) => e.uid), ["abbas", "iran"], "PERSON before NORP, the entity inside the quote left out");
  const phraseOf = (e) => nounPhrase(TEXT, B, e);
  eq(speakerCandidates(ENTS, QUOTE, SPEAKERS, { phraseOf }).map((e) => e.uid), ["abbas"],
    "the NORP inside the person's noun phrase (Iranian Foreign Minister Abbas Aragchi) is no candidate of its own");
  eq(cycle(list, "iran", 1, false).uid, "abbas", "the first press picks the best candidate");
  eq(cycle(list, "abbas", 1, true).uid, "iran");
  eq(cycle(list, "iran", 1, true).uid, "abbas", "wraps around");
  eq(cycle(list, "abbas", -1, true).uid, "iran");
  eq(nounPhrase(TEXT, B, ENTS[1]), at("Iranian Foreign Minister Abbas Aragchi"));
  eq(nounPhrase(TEXT, B, ent("he", "he", "PERSON")), at("he"), "stops at punctuation");
});

test("candidates: the dataset's speaker labels first, in their order within the cue's sentence, then nearest", () => {
  const text = "Reuters reported that Abbas Aragchi, speaking in Tehran, said “no”. Baghdad agreed.\nLater, Iraq said: “yes”.";
  const w = (x) => { const i = text.indexOf(x); return { start: i, end: i + x.length }; };
  const ents = [{ uid: "reuters", ...w("Reuters"), label: "ORG" }, { uid: "abbas", ...w("Abbas Aragchi"), label: "PERSON" },
    { uid: "tehran", ...w("Tehran"), label: "GPE" }, { uid: "baghdad", ...w("Baghdad"), label: "GPE" }, { uid: "iraq", ...w("Iraq"), label: "GPE" }];
  const context = { sentenceOf: sentences(text, "“\"") };
  eq([0, w("Baghdad").start, w("Later").start, w("yes").start].map(context.sentenceOf), [0, 1, 2, 2], "sentences");
  const quote = { uid: "q", content: w("no"), cue: w("said"), speaker: null, speaker_entity: null, kind: "direct" };
  const rank = (labels) => speakerCandidates(ents, quote, labels, context).map((e) => e.uid);
  eq(rank(["PERSON", "ORG", "NORP", "GPE"]), ["abbas", "reuters", "tehran", "baghdad", "iraq"],
    "in the cue's sentence people before organisations before places; then the next sentences out");
  eq(rank(["PERSON", "ORG"]), ["abbas", "reuters", "tehran", "baghdad", "iraq"], "places stay reachable after");
  eq(rank(["ORG", "PERSON"]), ["reuters", "abbas", "tehran", "baghdad", "iraq"], "the dataset's order decides");
  eq(rank(["GPE"]), ["tehran", "baghdad", "iraq", "abbas", "reuters"], "only places can speak in this dataset");
  eq(holderCandidates(ents, w("Baghdad agreed"), ["PERSON", "ORG", "GPE"], context)[0].uid, "baghdad");
  const tie = [{ uid: "p", ...w("reported"), label: "PERSON" }, { uid: "o", ...w("reported"), label: "ORG" }];
  eq(holderCandidates(tie, w("that"), ["ORG", "PERSON"]).map((e) => e.uid), ["o", "p"], "on a tie the earlier speaker label");
});

test("candidates: stance holder and target", () => {
  eq(holderCandidates(ENTS, STANCE.evidence, SPEAKERS)[0].uid, "abbas");
  eq(targetCandidates(ENTS, STANCE.evidence)[0].uid, "us", "inside the evidence first");
});

test("keys: the key map notation; Caps Lock never makes a Shift chord", () => {
  const k = (key, mods = {}) => keyName({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });
  eq(k("a"), "a"); eq(k("A"), "a", "Caps Lock"); eq(k("A", { shiftKey: true }), "Shift+A");
  eq(k("a", { shiftKey: true }), "Shift+A", "Caps Lock and Shift");
  eq(k("z", { ctrlKey: true }), "Ctrl+z"); eq(k("Z", { ctrlKey: true, shiftKey: true }), "Ctrl+Shift+Z");
  eq(k("?", { shiftKey: true }), "?"); eq(k("Enter", { ctrlKey: true }), "Ctrl+Enter");
  eq(k("ArrowLeft", { ctrlKey: true, shiftKey: true }), "Ctrl+Shift+ArrowLeft"); eq(k("1"), "1");
});

test("merge: replaying on their version drops links to entities they deleted, and clashing entities", () => {
  const theirs = new Store({ entities: [ENTS[1], ent("them", "it a", "ORG")], quotes: [QUOTE], stances: [] });
  const ops = [
    { op: "upsert", layer: "quotes", item: { ...QUOTE, kind: "indirect" } },
    { op: "upsert", layer: "stances", item: STANCE },
    { op: "upsert", layer: "entities", item: ent("mine", "it", "ORG") },
    { op: "upsert", layer: "entities", item: { ...ENTS[1], label: "ORG" } },
  ];
  const { kept, clashes, links } = replayOps(theirs, ops);
  eq([kept.length, clashes, links], [3, 1, 2]);
  eq(theirs.get("quotes", "q1").speaker_entity, null);
  eq(theirs.get("quotes", "q1").kind, "indirect");
  eq([theirs.get("stances", "s1").holder_entity, theirs.get("stances", "s1").target_entity], ["abbas", null]);
  eq(theirs.get("stances", "s1").target, "US", "the name stays");
  eq(theirs.get("entities", "abbas").label, "ORG");
  ok(!theirs.get("entities", "mine"));
});
