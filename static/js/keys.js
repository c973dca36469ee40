// Keys as the `?` overlay writes them: KeyboardEvent.key with Ctrl+, Alt+ and Shift+ prefixes.
// Shift+ is written for letters and named keys only; a letter typed with Caps Lock on (upper case
// without Shift) counts as the plain letter, so Caps Lock can never produce a Shift chord.

/** The name of a key event in the key map's notation. */
export function keyName(event) {
  let key = event.key;
  const letter = key.length === 1 && key.toLowerCase() !== key.toUpperCase();
  if (letter) key = event.shiftKey ? key.toUpperCase() : key.toLowerCase();
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey && (letter || key.length > 1)) parts.push("Shift");
  parts.push(key);
  return parts.join("+");
}

/** The key map of the page's `?` overlay: key name to action name. */
export function readKeyMap(root) {
  const map = new Map();
  for (const row of root.querySelectorAll("#key-map tr[data-action]")) map.set(row.dataset.key, row.dataset.action);
  return map;
}
