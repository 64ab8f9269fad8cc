import type { Service } from '../core';
import { bindService } from './bind';
import { chromiumService } from './chromium';
import { etcdService } from './etcd';
import { etcdClusterService } from './etcd-cluster';
import { guardService } from './guard';
import { haproxyService } from './haproxy';
import { mariadbService } from './mariadb';
import { opensshService } from './openssh';
import { ovhService } from './ovh';
import { route53Service } from './route53';
import { tlsService } from './tls';
import { vcenterService } from './vcenter';
import { zertoService } from './zerto';

/** Every service of the local environment, in start order (later ones may use earlier ones' env). */
export const allServices: readonly Service[] = [
  tlsService,
  vcenterService, // before zerto: recoveries power VMs on in it
  etcdService,
  etcdClusterService,
  guardService,
  mariadbService,
  haproxyService,
  opensshService,
  bindService, // before the DNS simulators: they publish into it
  ovhService,
  route53Service,
  zertoService,
  chromiumService,
];
