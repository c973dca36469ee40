// The annotation held in the page: three layers keyed by uid, edited only through ops.

export const LAYERS = ["entities", "quotes", "stances"];

/** Where an item sits in the text: an entity's span, a quote's content, a stance's evidence. */
export function spanOf(layer, item) {
  if (layer === "entities") return item;
  return layer === "quotes" ? item.content : item.evidence;
}

/** The uid an op is about. */
export function opUid(op) { return op.op === "delete" ? op.uid : op.item.uid; }

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

  /** Items of a layer in text order. */
  sorted(layer) {
    return this.all(layer).sort((a, b) => spanOf(layer, a).start - spanOf(layer, b).start
      || spanOf(layer, a).end - spanOf(layer, b).end);
  }

  /** Every item as {layer, uid, start, end}, in reading order (entities before quotes before stances on ties). */
  inOrder() {
    const out = [];
    LAYERS.forEach((layer, rank) => {
      for (const item of this.layers[layer].values()) {
        const span = spanOf(layer, item);
        out.push({ layer, uid: item.uid, start: span.start, end: span.end, rank });
      }
    });
    return out.sort((a, b) => a.start - b.start || a.rank - b.rank || a.end - b.end);
  }

  /** Apply one op; return the op that undoes it. */
  apply(op) {
    const map = this.layers[op.layer];
    const uid = opUid(op);
    const before = map.get(uid) || null;
    if (op.op === "delete") map.delete(uid); else map.set(uid, op.item);
    return before ? { op: "upsert", layer: op.layer, item: before } : { op: "delete", layer: op.layer, uid };
  }

  /** The entity with exactly this span. */
  entityExact(start, end) {
    for (const e of this.layers.entities.values()) if (e.start === start && e.end === end) return e;
    return null;
  }

  /** Quotes and stances that link to an entity, as [{layer, item, roles}]. */
  linksTo(uid) {
    const out = [];
    for (const q of this.layers.quotes.values()) {
      if (q.speaker_entity === uid) out.push({ layer: "quotes", item: q, roles: ["speaker_entity"] });
    }
    for (const s of this.layers.stances.values()) {
      const roles = ["holder_entity", "target_entity"].filter((r) => s[r] === uid);
      if (roles.length) out.push({ layer: "stances", item: s, roles });
    }
    return out;
  }

  /** Ops that point every link to an entity at another one (or at none, with to = null). */
  relinkOps(uid, to, origin) {
    return this.linksTo(uid).map(({ layer, item, roles }) => {
      const next = { ...item, origin };
      for (const role of roles) next[role] = to;
      return { op: "upsert", layer, item: next };
    });
  }
}

let counter = 0;
/** A fresh uid for an item made in this page. */
export function newUid(prefix) {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
