import { ActiveSiteRecord } from '../../active-site-record';
import type { PolicyRule } from '../rule';

export const recordSitesExist: PolicyRule = {
  id: 'PRA-DNS-001',
  explanation: 'The active-site record maps every site of the app, and only those, to a public IP; otherwise a switch to a site has no target.',
  fix: 'Give every site a publicIp and map exactly the app\'s sites in sitePublicIps.',
  check(node, app) {
    if (!(node instanceof ActiveSiteRecord)) return undefined;
    const mapped = Object.keys(node.sitePublicIps);
    const unknown = mapped.filter((site) => !app.sites.has(site));
    const missing = [...app.sites].filter((site) => !mapped.includes(site));
    if (!unknown.length && !missing.length) return undefined;
    return [unknown.length ? `maps unknown site(s) ${unknown.join(', ')}` : '', missing.length ? `has no IP for site(s) ${missing.join(', ')}` : ''].filter(Boolean).join(' and ');
  },
};
