import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../src/retrieve/transport/sliding-window.js';

describe('SlidingWindow', () => {
  it('admits within the budget over any window, and says when the oldest spend makes room', () => {
    const window = new SlidingWindow(1000);
    window.settle(window.add(600, 0), 600, 0);
    expect(window.waitFor(300, 1000, 10)).toBe(0);
    window.settle(window.add(300, 10), 300, 10);
    // 900 held: 200 more fits once the first 600 expire, at 1000.
    expect(window.waitFor(200, 1000, 500)).toBe(500);
    expect(window.spent(1000)).toBe(300);
    expect(window.waitFor(200, 1000, 1000)).toBe(0);
  });

  it('a request over the whole budget waits for an empty window, then goes alone', () => {
    const window = new SlidingWindow(1000);
    window.settle(window.add(10, 0), 10, 0);
    expect(window.waitFor(5000, 1000, 100)).toBe(900);
    expect(window.waitFor(5000, 1000, 1000)).toBe(0);
  });

  it('a request still in flight never expires; answered, it counts from its answer', () => {
    const window = new SlidingWindow(1000);
    const open = window.add(700, 0);
    expect(window.spent(5000)).toBe(700);
    window.settle(open, 650, 5200);
    expect(window.spent(6100)).toBe(650);
    expect(window.spent(6200)).toBe(0);
  });
});
