// Review page keys: j/k move between rows, t takes the focused row into gold, x removes it,
// a accepts everything all annotators agree on, s saves the gold as reviewed.

const rows = () => [...document.querySelectorAll("#review-items .row")];

function focusRow(step) {
  const all = rows();
  if (!all.length) return;
  const at = all.indexOf(document.activeElement);
  const next = all[Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

function clickIn(root, action) {
  const button = root && root.querySelector(`button[data-action="${action}"]`);
  if (button) button.click();
}

function submitForm(id) {
  const button = document.querySelector(`#${id} button[type="submit"]`);
  if (button && !button.disabled) button.click();
}

const keys = {
  j: () => focusRow(1),
  k: () => focusRow(-1),
  t: () => clickIn(document.activeElement.closest(".row"), "take"),
  x: () => clickIn(document.activeElement.closest(".row"), "remove"),
  a: () => submitForm("accept-agreed"),
  s: () => submitForm("save-gold"),
};

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  const action = keys[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

// After an action the page comes back at #row-id: focus that row so the keys carry on from there.
const target = location.hash && document.getElementById(location.hash.slice(1));
if (target && target.classList.contains("row")) target.focus();
