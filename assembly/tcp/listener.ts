// The listener record: one per listening port, in the listener table laid out by assembly/memory.ts.

/** One listener. Links are slot indexes (connections or listeners), NIL when none. */
@unmanaged
export class Listener {
  /** Local port, 0 when the slot is free. */
  port: u16;
  /** Most embryonic plus unaccepted connections. */
  backlog: u16;
  /** Half-open plus unaccepted connections now (the length of the children list). */
  pending: u16;
  /**
   * First child, linked through Conn.listPrev/listNext: first the accept queue (F.ACCEPTQ, oldest
   * first, so childHead is the next to accept), then the half-open children (table.ts).
   */
  childHead: u16;
  /** Last connection of the accept queue (the front of the children list), NIL when it is empty. */
  acceptTail: u16;
  /** Next listener in the same port-hash bucket, or in the free list. */
  hashNext: u16;
  /** Children in SYN_RCVD (flag HALF_OPEN), bounded by synBacklog (table.ts halfOpenRoom). */
  halfOpen: u16;
}

/** Bytes of one listener record. */
export const LISTENER_SIZE: i32 = offsetof<Listener>();
