/** Which colour each selected run draws in (an index into theme.ts's palette). */
export class RunColors {
  private readonly colors = new Map<string, number>();

  /** A run keeps its colour while selected; a newly selected run takes the first free one. */
  readonly colorOf = (id: string): number => {
    let c = this.colors.get(id);
    if (c === undefined) {
      const used = new Set(this.colors.values());
      for (c = 0; used.has(c); c++);
      this.colors.set(id, c);
    }
    return c;
  };

  /** Frees the colours of runs no longer selected. */
  keep(selected: readonly string[]): void {
    for (const id of this.colors.keys()) if (!selected.includes(id)) this.colors.delete(id);
  }
}
