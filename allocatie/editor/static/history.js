// Undo and redo of drawings (each entry a complete drawing: district -> lot).

export class History {
  constructor(limit = 500) { this.past = []; this.future = []; this.limit = limit; }
  push(drawing) {
    this.past.push({ ...drawing });
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }
  undo(current) {
    if (!this.past.length) return null;
    this.future.push({ ...current });
    return this.past.pop();
  }
  redo(current) {
    if (!this.future.length) return null;
    this.past.push({ ...current });
    return this.future.pop();
  }
  get canUndo() { return this.past.length > 0; }
  get canRedo() { return this.future.length > 0; }
}
