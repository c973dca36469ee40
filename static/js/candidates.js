// Choosing entities for a role without typing: ranked candidates for a quote's speaker and a
// stance's holder and target, and the noun phrase a speaker entity heads.

const DETERMINERS = new Set(["the", "The"]);

/** Characters between two spans (0 when they touch or overlap). */
function gap(a, b) { return Math.max(0, a.start - b.end, b.start - a.end); }

/** Rank: people and organisations (the first two speaker labels) first, then the other speaker labels. */
function labelRank(label, speakerLabels) {
  const i = speakerLabels.indexOf(label);
  return i < 0 ? 2 : i < 2 ? 0 : 1;
}

/** A quote's speaker candidates: speaker-labelled entities outside its content, nearest the cue first. */
export function speakerCandidates(entities, quote, speakerLabels) {
  const anchor = quote.cue || quote.content;
  return entities
    .filter((e) => speakerLabels.includes(e.label) && !(quote.content.start <= e.start && e.end <= quote.content.end))
    .map((e) => ({ e, rank: labelRank(e.label, speakerLabels), d: gap(e, anchor) }))
    .sort((a, b) => a.rank - b.rank || a.d - b.d || a.e.start - b.e.start)
    .map((x) => x.e);
}

/** A stance's holder candidates: speaker-labelled entities, nearest the evidence first (before it on ties). */
export function holderCandidates(entities, evidence, speakerLabels) {
  return entities
    .filter((e) => speakerLabels.includes(e.label))
    .map((e) => ({ e, rank: labelRank(e.label, speakerLabels), d: gap(e, evidence) }))
    .sort((a, b) => a.rank - b.rank || a.d - b.d || a.e.start - b.e.start)
    .map((x) => x.e);
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
  let i = starts.indexOf(entity.start);
  if (i < 0) return { start: entity.start, end: entity.end };
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
