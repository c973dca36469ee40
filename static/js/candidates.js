// Choosing entities for a role without typing: ranked candidates for a quote's speaker and a
// stance's holder and target, and the noun phrase a speaker entity heads.

import { bisectLeft } from "./offsets.js";

const DETERMINERS = new Set(["the", "The"]);

/** Characters between two spans (0 when they touch or overlap). */
function gap(a, b) { return Math.max(0, a.start - b.end, b.start - a.end); }

/** Whether span a lies inside span b. */
const within = (a, b) => b.start <= a.start && a.end <= b.end;

/**
 * Entities that could speak or hold a view, best first: entities with one of the dataset's speaker
 * labels before any other; then those in the anchor's sentence (then the next sentences out); within
 * a sentence in the order of the speaker labels (people and organisations first), nearest first.
 * An entity that only modifies a speaker-labelled entity's noun phrase (the NORP "Iranian" in
 * "Iranian Foreign Minister Abbas Aragchi") is left out: that phrase's own entity stands for it.
 * context: {phraseOf(entity) -> span, sentenceOf(offset) -> index}, both optional.
 */
function agents(entities, anchor, speakerLabels, context, skip = () => false) {
  const { phraseOf = null, sentenceOf = () => 0 } = context || {};
  const pool = entities.filter((e) => !skip(e));
  const modifiers = phraseOf ? modifiersOf(pool, speakerLabels, phraseOf) : new Set();
  const rank = (e) => { const i = speakerLabels.indexOf(e.label); return i < 0 ? speakerLabels.length : i; };
  const here = sentenceOf(anchor.start);
  return pool
    .filter((e) => !modifiers.has(e))
    .map((e) => ({ e, tier: speakerLabels.includes(e.label) ? 0 : 1, s: Math.abs(sentenceOf(e.start) - here), rank: rank(e), d: gap(e, anchor) }))
    .sort((a, b) => a.tier - b.tier || a.s - b.s || a.rank - b.rank || a.d - b.d || a.e.start - b.e.start)
    .map((x) => x.e);
}

/** Entities inside the noun phrase of a speaker-labelled entity that starts after them. */
function modifiersOf(pool, speakerLabels, phraseOf) {
  const sorted = pool.slice().sort((a, b) => a.start - b.start), starts = sorted.map((e) => e.start);
  const out = new Set();
  for (const head of pool) {
    if (!speakerLabels.includes(head.label)) continue;
    const phrase = phraseOf(head);
    for (let k = bisectLeft(starts, phrase.start); k < sorted.length && sorted[k].start < head.start; k++) {
      if (within(sorted[k], phrase)) out.add(sorted[k]);
    }
  }
  return out;
}

/**
 * The sentence index of any offset, for ranking candidates: a sentence ends at a line break or at
 * . ! ? (after any closing marks) followed by space and a capital or an opening mark (from the
 * page's vocabulary: quoteMarks.opening).
 */
export function sentences(text, opening) {
  const marks = opening.replace(/[\]\\^-]/g, "\\$&");
  const end = new RegExp(`[.!?][^\\s\\p{L}\\p{N}]*\\s+(?=[${marks}(]?\\p{Lu})|\\n+`, "gu");
  const starts = [0];
  for (const m of text.matchAll(end)) starts.push(m.index + m[0].length);
  return (offset) => bisectLeft(starts, offset + 1) - 1;
}

/** A quote's speaker candidates (see agents): entities outside its content, around its cue. */
export function speakerCandidates(entities, quote, speakerLabels, context = null) {
  const inside = (e) => quote.content.start <= e.start && e.end <= quote.content.end;
  return agents(entities, quote.cue || quote.content, speakerLabels, context, inside);
}

/** A stance's holder candidates (see agents): around its evidence. */
export function holderCandidates(entities, evidence, speakerLabels, context = null) {
  return agents(entities, evidence, speakerLabels, context);
}

/** A stance's target candidates: entities inside the evidence first (in order), then the nearest. */
export function targetCandidates(entities, evidence) {
  return entities
    .map((e) => ({ e, d: gap(e, evidence) }))
    .sort((a, b) => a.d - b.d || a.e.start - b.e.start)
    .map((x) => x.e);
}

/** The next (dir 1) or previous (dir -1) candidate after the current one; the best one first. */
export function cycle(candidates, currentUid, dir, started) {
  if (!candidates.length) return null;
  const i = candidates.findIndex((e) => e.uid === currentUid);
  if (!started && i !== 0) return candidates[0];
  const n = candidates.length;
  return candidates[((i < 0 ? (dir > 0 ? -1 : 0) : i) + dir + n) % n];
}

/**
 * The noun phrase an entity heads: the entity widened leftwards over capitalised words of the same
 * line (titles such as "Foreign Minister", adjectives such as "Iranian") and one leading "the".
 */
export function nounPhrase(text, bounds, entity) {
  const { starts, ends } = bounds;
  let i = bisectLeft(starts, entity.start);
  if (starts[i] !== entity.start) return { start: entity.start, end: entity.end };
  let start = entity.start;
  while (i > 0) {
    const word = text.slice(starts[i - 1], ends[i - 1]);
    if (/\S|\n/.test(text.slice(ends[i - 1], start))) break;
    if (DETERMINERS.has(word)) { start = starts[i - 1]; break; }
    if (!/^\p{Lu}[\p{L}-]*$/u.test(word)) break;
    start = starts[i - 1];
    i -= 1;
  }
  return { start, end: entity.end };
}
