// Whether one open handle (a listening server; sockets keep the same two flags themselves) keeps a Node process alive, counted once on its stack.

/** ref()/unref() state of a handle: held while wanted (not unref'd) and active (open or listening). */
export class RefHold {
  private wanted = true;
  private held = false;

  /** `count(+1 | −1)` tells the stack about a change. */
  constructor(private readonly count: (delta: 1 | -1) => void) {}

  /** ref() (true) or unref() (false). */
  want(on: boolean, active: boolean): void {
    this.wanted = on;
    this.update(active);
  }

  /** Re-evaluates after the handle opened or closed. */
  update(active: boolean): void {
    const hold = this.wanted && active;
    if (hold === this.held) return;
    this.held = hold;
    this.count(hold ? 1 : -1);
  }

  /** The stack forgot every ref (host crash). */
  forget(): void {
    this.held = false;
  }
}
