import { findOverlaps, type Execution } from '../../hooks/audit/overlap';

const run = (job: string, site: string, start: number, end?: number): Execution => ({ job, site, host: `${site}-vm`, start, end });

describe('findOverlaps', () => {
  it('finds none when the same job runs on two sites one after the other', () => {
    const report = findOverlaps([run('billing', 'sbg', 0, 100), run('billing', 'rbx', 100, 200)], 1000);
    expect(report.overlaps).toEqual([]);
    expect(report.windowMs).toBe(0);
  });

  it('measures the overlap of the same job on two sites', () => {
    const report = findOverlaps([run('billing', 'sbg', 0, 150), run('billing', 'rbx', 100, 200)], 1000);
    expect(report.overlaps.map((o) => [o.job, o.ms])).toEqual([['billing', 50]]);
    expect(report.windowMs).toBe(50);
  });

  it('ignores overlaps on one site and between different jobs', () => {
    const report = findOverlaps([run('a', 'sbg', 0, 100), run('a', 'sbg', 50, 150), run('b', 'rbx', 0, 100)], 1000);
    expect(report.overlaps).toEqual([]);
  });

  it('counts an execution that never ended as running until the horizon', () => {
    const report = findOverlaps([run('a', 'sbg', 0), run('a', 'rbx', 500, 600)], 1000);
    expect(report.windowMs).toBe(100);
    expect(report.unfinished).toBe(1);
  });

  it('counts overlapping overlaps once in the window', () => {
    const report = findOverlaps([run('a', 'sbg', 0, 100), run('a', 'rbx', 50, 100), run('b', 'sbg', 0, 100), run('b', 'rbx', 60, 120)], 1000);
    expect(report.overlaps).toHaveLength(2);
    expect(report.windowMs).toBe(50);
  });
});
