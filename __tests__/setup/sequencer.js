const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

/** Files that take turns on one shared resource (`exclusive(...)` in __tests__/support/exclusive.ts). */
const TAKES_TURNS = /exclusive\('vcenter-example-vms'\)/;

/**
 * Jest's order (failed first, then slowest or largest first), with the files that take turns on the example
 * VMs spread evenly through the others: in jest's order they could come together, and every worker but one
 * would then wait on the lock instead of running the rest of the suite. (Drills run side by side in lanes of
 * their own: testenv/drill/lanes.ts.)
 */
class SpreadSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const turns = sorted.filter((t) => TAKES_TURNS.test(readFileSync(t.path, 'utf8')));
    const others = sorted.filter((t) => !turns.includes(t));
    if (!turns.length) return sorted;
    const gap = others.length / turns.length;
    const out = [];
    turns.forEach((t, i) => out.push(t, ...others.slice(Math.round(i * gap), Math.round((i + 1) * gap))));
    return out;
  }
}

module.exports = SpreadSequencer;
