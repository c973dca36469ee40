// Edits of the three layers: entities, quotes (speaker, cue, kind) and stances.
import { overlapping } from "./offsets.js";
import { newUid } from "./store.js";

const $ = (id) => document.getElementById(id);

/** The layer actions, bound to the editor's shared context. */
export function layerActions(ctx) {
  const { data, text, store, view, panels, state, message, edit, refreshPanels, setSelection, selectEntity,
    pickedSpan, human } = ctx;

  /* Entities. */

  function label(name) {
    if (state.entity) {
      const ent = store.get("entities", state.entity);
      if (ent.label !== name || ent.origin === "model") edit([{ op: "upsert", layer: "entities", item: human({ ...ent, label: name }) }]);
      selectEntity(ent.uid);
      return;
    }
    if (!state.sel) { message("Select some text first, or click a span to relabel it."); return; }
    const clash = overlapping(store.all("entities"), state.sel.start, state.sel.end);
    if (clash) {
      message(`Refused: that overlaps the ${clash.label} span “${text.slice(clash.start, clash.end)}”. Delete or relabel it first.`, "error");
      return;
    }
    const item = { uid: newUid("e"), start: state.sel.start, end: state.sel.end, label: name, origin: "human" };
    setSelection(null);
    edit([{ op: "upsert", layer: "entities", item }]);
    selectEntity(item.uid);
  }

  function deleteSelected() {
    if (state.entity) {
      const uid = state.entity;
      selectEntity(null);
      edit([...store.unlinkOps(uid), { op: "delete", layer: "entities", uid }]);
    } else if (state.stance && state.stance.uid) {
      const uid = state.stance.uid;
      closeStance();
      edit([{ op: "delete", layer: "stances", uid }]);
    } else if (state.quote) {
      const uid = state.quote;
      state.quote = null;
      edit([{ op: "delete", layer: "quotes", uid }]);
    }
  }

  /* Quotes. */

  function newQuote() {
    if (!state.sel) { message("Select the quoted words first, then press q."); return; }
    const before = text.slice(Math.max(0, state.sel.start - 1), state.sel.start);
    const kind = /["“”'‘’«»]/.test(before) ? "direct" : "indirect";
    const item = { uid: newUid("q"), content: { ...state.sel }, kind, cue: null, speaker: null, speaker_entity: null, confidence: null, origin: "human" };
    setSelection(null);
    state.quote = item.uid;
    edit([{ op: "upsert", layer: "quotes", item }]);
    message("Quote added: now select or click its speaker and press s, then its cue and press c.");
  }

  function openQuote(uid) {
    state.quote = uid;
    refreshPanels();
    $("quote-box").scrollIntoView({ block: "nearest" });
    const q = store.get("quotes", uid);
    view.locate(q.content.start).node.parentElement.scrollIntoView({ block: "center" });
  }

  function updateQuote(change) {
    const q = state.quote && store.get("quotes", state.quote);
    if (!q) { message("Open a quote first: press q on a selection, or click one in the list."); return; }
    edit([{ op: "upsert", layer: "quotes", item: human({ ...q, ...change }) }]);
  }

  function setSpeaker() {
    const span = pickedSpan();
    if (!span) { message("Select the speaker's words or click their entity, then press s."); return; }
    const ent = (state.entity && store.get("entities", state.entity)) || store.entityAt(span.start, span.end);
    const q = state.quote && store.get("quotes", state.quote);
    updateQuote({ speaker: { start: span.start, end: span.end }, speaker_entity: ent ? ent.uid : (q ? q.speaker_entity : null) });
    setSelection(null);
  }

  function setCue() {
    const span = pickedSpan();
    if (!span) { message("Select the cue (e.g. “said”), then press c."); return; }
    updateQuote({ cue: { start: span.start, end: span.end } });
    setSelection(null);
  }

  function cycleKind() {
    const q = state.quote && store.get("quotes", state.quote);
    if (!q) return;
    const kinds = ["direct", "indirect", "mixed"];
    updateQuote({ kind: kinds[(kinds.indexOf(q.kind) + 1) % kinds.length] });
  }

  /* Stances. */

  function newStance() {
    if (!state.sel) { message("Select the evidence first, then press t."); return; }
    const around = store.all("quotes").find((q) => q.content.start <= state.sel.start && state.sel.end <= q.content.end);
    const holder = around && around.speaker_entity ? around.speaker_entity : null;
    state.stance = { uid: null, evidence: { ...state.sel }, holder_entity: holder, holder: "", target: "", target_entity: null, polarity: data.vocab.polarities[data.vocab.polarities.length - 1].name };
    setSelection(null);
    panels.showStance(state.stance);
    $("stance-box").scrollIntoView({ block: "nearest" });
    $(holder ? "stance-target" : "stance-holder").focus();
  }

  function openStance(uid) {
    const s = store.get("stances", uid);
    state.stance = { ...s };
    panels.showStance(s);
    panels.renderLists({ quote: state.quote, stance: uid });
    $("stance-box").scrollIntoView({ block: "nearest" });
    setSelection(s.evidence);
    view.locate(s.evidence.start).node.parentElement.scrollIntoView({ block: "center" });
  }

  function closeStance() { state.stance = null; panels.showStance(null); }

  function saveStance(event) {
    event.preventDefault();
    const draft = state.stance;
    if (!draft) return;
    const holderName = $("stance-holder").value.trim(), targetName = $("stance-target").value.trim();
    if (!holderName || !targetName) { message("A stance needs a holder and a target.", "error"); return; }
    const holder = panels.entityNamed(holderName), target = panels.entityNamed(targetName);
    const polarity = document.querySelector("#stance-polarity input:checked").value;
    const base = draft.uid ? store.get("stances", draft.uid) : { confidence: null };
    const item = { ...base, uid: draft.uid || newUid("s"), evidence: draft.evidence, polarity, origin: "human",
      holder: holderName, holder_entity: holder ? holder.uid : null, target: targetName, target_entity: target ? target.uid : null };
    state.stance = { ...item };
    edit([{ op: "upsert", layer: "stances", item }]);
    panels.showStance(item);
    document.activeElement.blur();
  }

  function setPolarity(polarity) {
    if (!state.stance || !data.vocab.polarities.some((p) => p.name === polarity)) return;
    panels.setPolarity(polarity);
    const s = state.stance.uid && store.get("stances", state.stance.uid);
    if (s && s.polarity !== polarity) edit([{ op: "upsert", layer: "stances", item: human({ ...s, polarity }) }]);
  }

  return { label, deleteSelected, newQuote, openQuote, updateQuote, setSpeaker, setCue, cycleKind, newStance, openStance, closeStance, saveStance, setPolarity };
}
