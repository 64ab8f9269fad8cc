import { ApiError } from './zones';

/**
 * One OVHcloud IP Load Balancing service with one HTTP farm of one server per site. Edits of a server
 * stay pending until `POST /ipLoadbalancing/{svc}/refresh`, whose task goes todo -> doing -> done and only
 * then applies them (as `GET .../pendingChanges` shows).
 */
export interface FarmServer {
  serverId: number;
  address: string;
  displayName: string;
  status: 'active' | 'inactive';
  weight: number;
  backup: boolean;
}

interface Task {
  id: number;
  action: string;
  status: 'todo' | 'doing' | 'done';
  creationDate: string;
  doneDate: string | null;
}

export interface IplbLayout {
  readonly serviceName: string;
  readonly farmId: number;
  /** Site name -> server, the first one active. */
  readonly servers: readonly { site: string; serverId: number; address: string }[];
}

export class OvhIplb {
  private servers = new Map<number, FarmServer>();
  private pending = 0;
  private readonly tasks = new Map<number, Task>();
  private nextTask = 7_000_001;
  taskMs = 300;

  constructor(readonly layout: IplbLayout) {
    this.reset();
  }

  reset(): void {
    this.servers = new Map(
      this.layout.servers.map((s, i) => [s.serverId, { serverId: s.serverId, address: s.address, displayName: s.site, status: i === 0 ? 'active' : 'inactive', weight: 1, backup: false }]),
    );
    this.pending = 0;
  }

  server(service: string, farm: number, id: number): FarmServer {
    this.check(service, farm);
    const s = this.servers.get(id);
    if (!s) throw new ApiError(404, { class: 'Client::NotFound', message: `Server ${id} does not exist in farm ${farm}` });
    return s;
  }

  update(service: string, farm: number, id: number, input: Partial<FarmServer>): void {
    const s = this.server(service, farm, id);
    if (input.status !== undefined) {
      if (input.status !== 'active' && input.status !== 'inactive') throw new ApiError(400, { class: 'Client::BadRequest', message: `Invalid status ${String(input.status)}` });
      s.status = input.status;
    }
    if (input.weight !== undefined) {
      if (!Number.isInteger(input.weight) || input.weight < 1 || input.weight > 256) throw new ApiError(400, { class: 'Client::BadRequest', message: 'weight must be 1..256' });
      s.weight = input.weight;
    }
    if (input.backup !== undefined) s.backup = input.backup;
    this.pending++;
  }

  pendingChanges(service: string): { zone: string; number: number }[] {
    this.check(service);
    return this.pending ? [{ zone: 'all', number: this.pending }] : [];
  }

  refresh(service: string): Task {
    this.check(service);
    const created = Date.now();
    const task: Task = { id: this.nextTask++, action: 'refreshIplb', status: 'todo', creationDate: new Date(created).toISOString(), doneDate: null };
    this.tasks.set(task.id, task);
    const applying = this.pending;
    setTimeout(() => (task.status = 'doing'), this.taskMs / 3);
    setTimeout(() => {
      task.status = 'done';
      task.doneDate = new Date().toISOString();
      this.pending = Math.max(0, this.pending - applying);
    }, this.taskMs);
    return task;
  }

  task(service: string, id: number): Task {
    this.check(service);
    const t = this.tasks.get(id);
    if (!t) throw new ApiError(404, { class: 'Client::NotFound', message: `Task ${id} does not exist` });
    return t;
  }

  private check(service: string, farm?: number): void {
    if (service !== this.layout.serviceName) throw new ApiError(404, { class: 'Client::NotFound', message: 'This service does not exist' });
    if (farm !== undefined && farm !== this.layout.farmId) throw new ApiError(404, { class: 'Client::NotFound', message: `Farm ${farm} does not exist` });
  }
}
