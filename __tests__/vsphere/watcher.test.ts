import type { PowerStateChange } from '../../hooks/drivers/vsphere';
import { eventually } from '../support/eventually';
import { aClient, someVms } from './support';

describe('vSphere power-state watcher', () => {
  it('reports the current state of each VM when it starts', async () => {
    const [on, off] = [...(await someVms('poweredOn')), ...(await someVms('poweredOff'))];
    const client = aClient();
    const stop = new AbortController();
    const changes: PowerStateChange[] = [];
    const watching = client.watchPowerStates([on, off], (c) => changes.push(c), { signal: stop.signal, intervalMs: 20 });
    await eventually('the powered-off VM is reported', () => changes.some((c) => c.vm === off));
    await eventually('the powered-on VM is reported', () => changes.some((c) => c.vm === on));
    stop.abort();
    await watching;
    expect(changes).toEqual(expect.arrayContaining([
      { vm: on, state: 'poweredOn', previous: undefined },
      { vm: off, state: 'poweredOff', previous: undefined },
    ]));
    await client.close();
  });

  it('sees a power-on done by another client', async () => {
    const [vm] = await someVms('poweredOff');
    const watcher = aClient();
    const other = aClient();
    const stop = new AbortController();
    const changes: PowerStateChange[] = [];
    const watching = watcher.watchPowerStates([vm], (c) => changes.push(c), { signal: stop.signal, intervalMs: 20 });
    await eventually('the VM is reported off', () => changes.some((c) => c.state === 'poweredOff'));
    await other.ensureRunning(vm);
    await eventually('the power-on is reported', () => changes.some((c) => c.state === 'poweredOn'));
    stop.abort();
    await watching;
    expect(changes).toEqual([
      { vm, state: 'poweredOff', previous: undefined },
      { vm, state: 'poweredOn', previous: 'poweredOff' },
    ]);
    await Promise.all([watcher.close(), other.close()]);
  });

  it('reports a VM that appears after the watch started', async () => {
    const client = aClient();
    const stop = new AbortController();
    const changes: PowerStateChange[] = [];
    const name = `TEST-VSPHERE-LATE-${Date.now().toString(36)}`;
    const watching = client.watchPowerStates([name], (c) => changes.push(c), { signal: stop.signal, intervalMs: 20 });
    const { provisionVms } = await import('../../testenv/vcsim/provision');
    await provisionVms(process.env as Record<string, string>, 'rbx', [{ name, power: 'poweredOn' }]);
    await eventually('the late VM is reported on', () => changes.some((c) => c.vm === name && c.state === 'poweredOn'));
    stop.abort();
    await watching;
    // vcsim creates the VM, then powers it on: a poll may fall between the two and report it off first.
    expect(changes[0]).toMatchObject({ vm: name, previous: undefined });
    expect(changes[changes.length - 1]).toMatchObject({ vm: name, state: 'poweredOn' });
    await client.close();
  });

  it('reports a VM that is removed as powered off (a removed VM runs nothing), and again when it comes back', async () => {
    const client = aClient();
    const stop = new AbortController();
    const changes: PowerStateChange[] = [];
    const name = `TEST-VSPHERE-GONE-${Date.now().toString(36)}`;
    const { provisionVms, removeVms } = await import('../../testenv/vcsim/provision');
    const env = process.env as Record<string, string>;
    await provisionVms(env, 'rbx', [{ name, power: 'poweredOn' }]);
    const watching = client.watchPowerStates([name], (c) => changes.push(c), { signal: stop.signal, intervalMs: 20 });
    await eventually('the VM is reported on', () => changes.some((c) => c.state === 'poweredOn'));
    await removeVms(env, 'rbx', [name]);
    await eventually('the removal is reported', () => changes.some((c) => c.state === 'poweredOff'));
    await provisionVms(env, 'rbx', [{ name, power: 'poweredOn' }]);
    await eventually('the VM is reported on again', () => changes.filter((c) => c.state === 'poweredOn').length === 2);
    stop.abort();
    await watching;
    await removeVms(env, 'rbx', [name]);
    expect(changes.map((c) => [c.state, c.previous])).toEqual([
      ['poweredOn', undefined],
      ['poweredOff', 'poweredOn'],
      ['poweredOn', undefined],
    ]);
    await client.close();
  });
});
