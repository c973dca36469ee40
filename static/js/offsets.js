// Pure offset helpers: character offsets into the original text, end exclusive.

/** Index of the first element of a sorted array greater than x. */
export function bisectRight(arr, x) {
  let lo = 0, hi = arr.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Index of the first element of a sorted array not less than x. */
export function bisectLeft(arr, x) {
  let lo = 0, hi = arr.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Token starts and ends as two sorted arrays. */
export function tokenBounds(tokens) {
  return { starts: tokens.map((t) => t[0]), ends: tokens.map((t) => t[1]) };
}

/** Widen [start, end) to the tokens it touches; null when it touches only whitespace. */
export function snap(bounds, start, end) {
  const first = bisectRight(bounds.ends, start);
  const last = bisectLeft(bounds.starts, end) - 1;
  if (first >= bounds.starts.length || last < first) return null;
  return { start: bounds.starts[first], end: bounds.ends[last] };
}

/** The token index range [first, last] of an aligned span. */
export function tokenRange(bounds, start, end) {
  return [bisectLeft(bounds.starts, start), bisectLeft(bounds.ends, end)];
}

/** The span of tokens first..last (clamped). */
export function tokensSpan(bounds, first, last) {
  const n = bounds.starts.length;
  const a = Math.max(0, Math.min(first, n - 1)), b = Math.max(a, Math.min(last, n - 1));
  return { start: bounds.starts[a], end: bounds.ends[b] };
}

/**
 * Move one edge of a span by one token: edge "start" or "end", grow true (outwards) or false.
 * Returns the new span, or null when it would leave the text or become empty.
 */
export function moveEdge(bounds, span, edge, grow) {
  const { starts, ends } = bounds;
  if (edge === "end") {
    const end = grow ? ends[bisectRight(ends, span.end)] : ends[bisectLeft(ends, span.end) - 1];
    return end === undefined || end <= span.start ? null : { start: span.start, end };
  }
  const start = grow ? starts[bisectLeft(starts, span.start) - 1] : starts[bisectRight(starts, span.start)];
  return start === undefined || start >= span.end ? null : { start, end: span.end };
}

/** The one-token span after (dir 1) or before (dir -1) a span; null at the text's edge. */
export function nextToken(bounds, span, dir) {
  const i = dir > 0 ? bisectLeft(bounds.starts, span.end) : bisectLeft(bounds.ends, span.start) - 1;
  if (i < 0 || i >= bounds.starts.length) return null;
  return { start: bounds.starts[i], end: bounds.ends[i] };
}

/** The first entity overlapping [start, end), other than `except`. */
export function overlapping(entities, start, end, except = null) {
  for (const e of entities) {
    if (e.uid !== except && e.start < end && start < e.end) return e;
  }
  return null;
}
