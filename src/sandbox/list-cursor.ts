/** list_contact_way's next_cursor: opaque to clients, a position in creation order to us. */
export interface CursorPosition {
  createdAtMs: number;
  seq: number;
}

export function encodeCursor(at: CursorPosition): string {
  return Buffer.from(`${at.createdAtMs}.${at.seq}`).toString('base64url');
}

/** The position a cursor stands for, or undefined when it is not one we issued. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) return undefined;
  return { createdAtMs: Number(match[1]), seq: Number(match[2]) };
}
