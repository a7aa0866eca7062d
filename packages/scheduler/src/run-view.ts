import { bottomLevels, buildGraph, estimateWeight, type NewRunEvent, type RunState, type TaskGraph } from '@caid/core';

/**
 * The run as the scheduler sees it: the state folded from the log, kept current as events are
 * written, and the task graph with its priorities, rebuilt when a plan revision changes the tasks.
 */
export class RunView {
  state: RunState;
  graph!: TaskGraph;
  levels!: Map<string, number>;
  // Writes may overlap (starts and steps are logged as they happen): keep the state of the newest.
  private written = 0;
  private held = 0;

  constructor(state: RunState, private readonly write: (e: NewRunEvent) => Promise<RunState>) {
    this.state = state;
    this.rebuild();
  }

  async emit(e: NewRunEvent): Promise<void> {
    const seq = ++this.written;
    const next = await this.write(e);
    if (seq > this.held) [this.state, this.held] = [next, seq];
  }

  rebuild(): void {
    const tasks = this.state.order.map((id) => this.state.tasks[id]!);
    this.graph = buildGraph({ goal: this.state.goal, tasks });
    this.levels = bottomLevels(this.graph, estimateWeight(tasks));
  }
}
