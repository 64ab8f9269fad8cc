import { randomUUID } from 'node:crypto';
import { TaskState } from './catalog';
import { link } from './vpgs';

export interface SimTask {
  readonly id: string;
  readonly type: string;
  readonly vpgId: string;
  state: number;
  progress: number;
  readonly started: Date;
  completed?: Date;
  completeReason?: string;
}

/** The ZVM's task list (`/v1/tasks`): every action returns a task id the client polls. */
export class Tasks {
  private readonly byId = new Map<string, SimTask>();

  start(type: string, vpgId: string): SimTask {
    const task: SimTask = { id: `task-${randomUUID()}`, type, vpgId, state: TaskState.InProgress, progress: 0, started: new Date() };
    this.byId.set(task.id, task);
    return task;
  }

  get(id: string): SimTask | undefined {
    return this.byId.get(id);
  }

  all(): SimTask[] {
    return [...this.byId.values()];
  }

  finish(id: string, state: number, reason: string): void {
    const task = this.byId.get(id);
    if (!task) return;
    task.state = state;
    task.progress = 100;
    task.completed = new Date();
    task.completeReason = reason;
  }

  clear(): void {
    this.byId.clear();
  }
}

/** A task as the 10.0 U6 document has it: identified by its link. */
export function renderTask(task: SimTask): Record<string, unknown> {
  return {
    Link: link('TaskApi', `/v1/tasks/${task.id}`, task.id),
    Type: task.type,
    Status: { State: task.state, Progress: task.progress },
    Started: task.started.toISOString(),
    Completed: task.completed?.toISOString() ?? null,
    CompleteReason: task.completeReason ?? null,
    IsCancellable: false,
    RelatedEntities: { Vpgs: [link('VpgApi', `/v1/vpgs/${task.vpgId}`, task.vpgId)] },
  };
}
