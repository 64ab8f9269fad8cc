import type { Service } from '../core';
import { etcdService } from './etcd';
import { tlsService } from './tls';
import { vcenterService } from './vcenter';

/** Every service of the local environment, in start order (later ones may use earlier ones' env). */
export const allServices: readonly Service[] = [tlsService, vcenterService, etcdService];
