import type { Service } from '../core';
import { etcdService } from './etcd';
import { guardService } from './guard';
import { tlsService } from './tls';

/** Every service of the local environment, in start order (later ones may use earlier ones' env). */
export const allServices: readonly Service[] = [tlsService, etcdService, guardService];
