// The annotation held in the page: three layers keyed by uid, edited only through ops.

export const LAYERS = ["entities", "quotes", "stances"];

export class Store {
  constructor(annotation) { this.load(annotation); }

  /** Replace everything with a server payload's annotation. */
  load(annotation) {
    this.layers = {};
    for (const layer of LAYERS) {
      this.layers[layer] = new Map((annotation[layer] || []).map((item) => [item.uid, item]));
    }
  }

  get(layer, uid) { return this.layers[layer].get(uid) || null; }
  all(layer) { return [...this.layers[layer].values()]; }

  /** Items in text order. */
  sorted(layer) {
    const key = { entities: (x) => x.start, quotes: (x) => x.content.start, stances: (x) => x.evidence.start }[layer];
    return this.all(layer).sort((a, b) => key(a) - key(b));
  }

  /** Apply one op; return the op that undoes it. */
  apply(op) {
    const map = this.layers[op.layer];
    const uid = op.op === "delete" ? op.uid : op.item.uid;
    const before = map.get(uid) || null;
    if (op.op === "delete") map.delete(uid); else map.set(uid, op.item);
    return before ? { op: "upsert", layer: op.layer, item: before } : { op: "delete", layer: op.layer, uid };
  }

  /** The entity whose span contains [start, end), or that [start, end) contains. */
  entityAt(start, end) {
    for (const e of this.layers.entities.values()) {
      if ((e.start <= start && end <= e.end) || (start <= e.start && e.end <= end)) return e;
    }
    return null;
  }

  /** Ops that clear every link to an entity (before deleting it). */
  unlinkOps(uid) {
    const ops = [];
    for (const q of this.layers.quotes.values()) {
      if (q.speaker_entity === uid) ops.push({ op: "upsert", layer: "quotes", item: { ...q, speaker_entity: null, origin: "human" } });
    }
    for (const s of this.layers.stances.values()) {
      if (s.holder_entity === uid || s.target_entity === uid) {
        const item = { ...s, origin: "human" };
        if (s.holder_entity === uid) item.holder_entity = null;
        if (s.target_entity === uid) item.target_entity = null;
        ops.push({ op: "upsert", layer: "stances", item });
      }
    }
    return ops;
  }
}

let counter = 0;
/** A fresh uid for an item made in this page. */
export function newUid(prefix) {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
