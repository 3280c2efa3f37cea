import { describe, expect, it } from 'vitest';
import { createRecentlySeen } from '../../src/chat/recently-seen.js';

describe('The in-process set of recent deliveries', () => {
  it('GIVEN a key seen within the window THEN it is refused; after the window THEN it passes again', () => {
    let now = 0;
    const seen = createRecentlySeen(1_000, () => now);
    expect(seen.add('a')).toBe(true);
    now = 999;
    expect(seen.add('a')).toBe(false);
    now = 1_000;
    expect(seen.add('a')).toBe(true);
  });

  it('GIVEN more keys than it holds THEN the oldest is forgotten first (the store still covers it)', () => {
    const seen = createRecentlySeen(60_000, () => 0, 2);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('b')).toBe(true);
    expect(seen.add('c')).toBe(true);
    expect(seen.add('b')).toBe(false);
    expect(seen.add('a')).toBe(true);
  });
});
