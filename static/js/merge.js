// Replaying unsent edits on another version of the set (after a conflict, or from a backup).
import { overlapping } from "./offsets.js";

const LINK_ROLES = { quotes: ["speaker_entity"], stances: ["holder_entity", "target_entity"] };

/**
 * Apply ops to the store, leaving out entities that now overlap another one and dropping links to
 * entities that no longer exist (the other side deleted them). Returns the ops as applied and counts.
 */
export function replayOps(store, ops) {
  const kept = [];
  let clashes = 0, links = 0;
  for (const op of ops) {
    let next = op;
    if (op.op === "upsert" && op.layer === "entities"
        && overlapping(store.all("entities"), op.item.start, op.item.end, op.item.uid)) { clashes++; continue; }
    if (op.op === "upsert" && LINK_ROLES[op.layer]) {
      const item = { ...op.item };
      for (const role of LINK_ROLES[op.layer]) {
        if (item[role] && !store.get("entities", item[role])) { item[role] = null; links++; }
      }
      next = { ...op, item };
    }
    store.apply(next);
    kept.push(next);
  }
  return { kept, clashes, links };
}
