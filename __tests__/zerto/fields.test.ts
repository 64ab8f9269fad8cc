import { field, num, setField, str } from '../../hooks/drivers/zerto/fields';
import { parseNameTable } from '../../hooks/drivers/zerto/statuses';

describe('zerto field access', () => {
  it('reads PascalCase, camelCase and lowercase spellings of the same field', () => {
    expect([{ VpgName: 'a' }, { vpgName: 'a' }, { vpgname: 'a' }].map((v) => str(v, 'VpgName'))).toEqual(['a', 'a', 'a']);
  });

  it('reads numbers sent as strings', () => {
    expect(num({ actualRPO: '12' }, 'ActualRPO')).toBe(12);
  });

  it('finds nothing in arrays, null or scalars', () => {
    expect([field([], 'x'), field(null, 'x'), field('x', 'length')]).toEqual([undefined, undefined, undefined]);
  });

  it('writes a field under the spelling the ZVM used', () => {
    const basic: Record<string, unknown> = { rpoInSeconds: 300 };
    setField(basic, 'RpoInSeconds', 120);
    expect(basic).toEqual({ rpoInSeconds: 120 });
  });
});

describe('zerto status lookup lists', () => {
  it('reads an array of names indexed by value', () => {
    expect(parseNameTable(['Initializing', 'MeetingSLA']).get(1)).toBe('MeetingSLA');
  });

  it('reads an array of key/value objects in any case', () => {
    expect(parseNameTable([{ key: 19, value: 'MovingBeforeCommit' }]).get(19)).toBe('MovingBeforeCommit');
  });

  it('reads an object mapping values to names', () => {
    expect(parseNameTable({ '15': 'FailingOverBeforeCommit' }).get(15)).toBe('FailingOverBeforeCommit');
  });
});
