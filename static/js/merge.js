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
    if (op.op === "upsert" && op.layer === "entities"
        && overlapping(store.all("entities"), op.item.start, op.item.end, op.item.uid)) { clashes++; continue; }
    const fixed = dropDeadLinks(store, op);
    links += fixed.dropped;
    store.apply(fixed.op);
    kept.push(fixed.op);
  }
  return { kept, clashes, links };
}

/** An upsert without its links to entities the store does not hold (and how many were dropped). */
export function dropDeadLinks(store, op) {
  if (op.op !== "upsert" || !LINK_ROLES[op.layer]) return { op, dropped: 0 };
  const dead = LINK_ROLES[op.layer].filter((role) => op.item[role] && !store.get("entities", op.item[role]));
  if (!dead.length) return { op, dropped: 0 };
  const item = { ...op.item };
  for (const role of dead) item[role] = null;
  return { op: { ...op, item }, dropped: dead.length };
}
