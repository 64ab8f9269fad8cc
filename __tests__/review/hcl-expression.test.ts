import { evaluateTemplate } from '../../hooks/review/hcl-expression';

const vars = { failback_site: 'rbx', enable_failback_pause_mode: true, active_site: 'sbg' };

describe('evaluateTemplate', () => {
  it.each([
    ['${((var.failback_site == "rbx") && var.enable_failback_pause_mode) ? "suspended" : "normal"}', 'suspended'],
    ['${((var.failback_site == "sbg") && var.enable_failback_pause_mode) ? "suspended" : "normal"}', 'normal'],
    ['${{"rbx" = "203.0.113.10", "sbg" = "198.51.100.20"}[var.active_site]}', '198.51.100.20'],
    ['${lookup({rbx = "a", sbg = "b"}, var.failback_site)}', 'a'],
    ['${contains(["rbx", "sbg"], var.active_site)}', true],
    ['${!var.enable_failback_pause_mode || var.active_site != "sbg"}', false],
    ['${var.enable_failback_pause_mode}', true],
    ['site-${var.active_site}', 'site-sbg'],
    ['literal $${not.an.expression}', 'literal ${not.an.expression}'],
  ])('evaluates %s', (text, expected) => {
    expect(evaluateTemplate(text, vars)).toEqual(expected);
  });

  it('leaves references it cannot evaluate as text', () => {
    expect(evaluateTemplate('${data.vsphere_datacenter.datacenter.id}', vars)).toBe('${data.vsphere_datacenter.datacenter.id}');
    expect(evaluateTemplate('${var.vcenter_password_rbx}', vars)).toBe('${var.vcenter_password_rbx}');
  });

  it('never evaluates the branch a condition does not take', () => {
    expect(evaluateTemplate('${var.enable_failback_pause_mode ? "on" : data.x.y}', vars)).toBe('on');
  });
});
