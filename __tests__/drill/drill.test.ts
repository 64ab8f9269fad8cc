import { runDrill } from '../../testenv/drill/drill';

describe('pra drill', () => {
  it('fails back to RBX with zero double execution, jobs having run on both sites', async () => {
    const result = await runDrill({ guard: true, settleSeconds: 2 });
    expect(result.timeline.view.state).toBe('completed');
    expect(result.finals).toEqual({
      authority: 'rbx@3',
      rbxVms: 'poweredOn,poweredOn',
      sbgVms: 'absent,absent', // the Move's commit removed the protected VMs (docs/zerto.md)
      vpg: 'MeetingSLA rbx -> sbg',
      dnsOnRbx: 'true',
      lbOnRbx: 'true',
    });
    expect(result.overlap.windowMs).toBe(0);
    // Zerto recovers each VM under its protected VM's name: the SBG names, now at RBX.
    expect(result.timeline.bootWindows.map((w) => w.vm).sort()).toEqual(['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG']);
    expect(result.executionsPerSite.sbg).toBeGreaterThan(0);
    expect(result.executionsPerSite.rbx).toBeGreaterThan(0);
  }, 180_000);

  it('measures a non-zero double execution when the guests run their jobs without the guard', async () => {
    const result = await runDrill({ guard: false, settleSeconds: 2 });
    expect(result.timeline.view.state).toBe('completed');
    expect(result.overlap.windowMs).toBeGreaterThan(0);
    expect(new Set(result.overlap.overlaps.map((o) => [o.a.site, o.b.site].sort().join('+')))).toEqual(new Set(['rbx+sbg']));
  }, 180_000);
});
