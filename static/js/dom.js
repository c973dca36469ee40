// Small DOM helpers shared by the editor's modules (the one definition of `$`).

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element with a class and text (text goes in only as textContent). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Text cut to n characters with an ellipsis. */
export function clip(text, n = 180) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
