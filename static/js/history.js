// Undo and redo: each entry is a list of ops and the list that reverses it.
// Entries name items by uid, so they stay meaningful after a conflict merge (which keeps them).

export class History {
  constructor() { this.done = []; this.undone = []; }

  /** Remember an edit; a new edit clears the redo stack. */
  record(forward, inverse) { this.done.push({ forward, inverse }); this.undone = []; }

  /** The ops that undo the last edit (or null). */
  undo() {
    const entry = this.done.pop();
    if (!entry) return null;
    this.undone.push(entry);
    return entry.inverse;
  }

  /** The ops that redo the last undone edit (or null). */
  redo() {
    const entry = this.undone.pop();
    if (!entry) return null;
    this.done.push(entry);
    return entry.forward;
  }

  get size() { return this.done.length; }
}
