import type { Service } from '../core';
import { bindService } from './bind';
import { etcdService } from './etcd';
import { ovhService } from './ovh';
import { route53Service } from './route53';
import { tlsService } from './tls';

/** Every service of the local environment, in start order (later ones may use earlier ones' env). */
export const allServices: readonly Service[] = [tlsService, etcdService, bindService, ovhService, route53Service];
