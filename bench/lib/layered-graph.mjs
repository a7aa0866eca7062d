import { logNormal, rng } from './random.mjs';

const id = (i) => `t${String(i).padStart(4, '0')}`;

/**
 * A random layered DAG: `tasks` tasks spread over `depth` layers of random width; each task past
 * the first layer depends on one task of the layer just above (so the depth is real) and on up
 * to `fanIn - 1` more from any earlier layer. Durations are log-normal (median 1, sigma 1).
 */
export function layeredGraph({ tasks = 200, depth: wanted, fanIn, seed, sigma = 1 }) {
  const rand = rng(seed);
  const depth = Math.min(wanted, tasks); // every layer holds at least one task
  const weights = Array.from({ length: depth }, () => 0.25 + rand());
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / total) * tasks)));
  for (let i = 0; sizes.reduce((a, b) => a + b, 0) < tasks; i = (i + 1) % depth) sizes[i]++;
  for (let i = depth - 1; sizes.reduce((a, b) => a + b, 0) > tasks; i = (i + depth - 1) % depth) if (sizes[i] > 1) sizes[i]--;

  const layers = [];
  const earlier = [];
  const plan = [];
  let n = 0;
  for (const size of sizes) {
    const layer = [];
    for (let k = 0; k < size; k++) {
      const deps = new Set();
      if (layers.length) {
        const above = layers.at(-1);
        deps.add(above[Math.floor(rand() * above.length)]);
        const extra = Math.floor(rand() * fanIn);
        for (let j = 0; j < extra; j++) deps.add(earlier[Math.floor(rand() * earlier.length)]);
      }
      const t = { id: id(n++), dependsOn: [...deps], duration: logNormal(rand, 0, sigma) };
      layer.push(t.id);
      plan.push(t);
    }
    layers.push(layer);
    earlier.push(...layer);
  }
  return plan;
}

/** Longest path by duration, and the total work. */
export function limits(plan) {
  const finish = new Map();
  for (const t of plan) finish.set(t.id, Math.max(0, ...t.dependsOn.map((d) => finish.get(d))) + t.duration);
  return { criticalPath: Math.max(...finish.values()), work: plan.reduce((a, t) => a + t.duration, 0) };
}

/** max(critical path, work / N): no schedule on N workers can finish sooner. */
export const lowerBound = (plan, n) => {
  const { criticalPath, work } = limits(plan);
  return Math.max(criticalPath, work / n);
};

/**
 * The wave-barrier baseline: run one topological generation (tasks whose dependencies are all in
 * earlier generations) on N workers, wait for all of it, then the next. Inside a wave tasks go
 * to the first free worker in the same order caid uses (bottom level, then id).
 */
export function waveMakespan(plan, n, priority) {
  const gen = new Map();
  for (const t of plan) gen.set(t.id, Math.max(-1, ...t.dependsOn.map((d) => gen.get(d))) + 1);
  const waves = [];
  for (const t of plan) (waves[gen.get(t.id)] ??= []).push(t);
  let total = 0;
  for (const wave of waves) {
    wave.sort((a, b) => (priority.get(b.id) ?? 0) - (priority.get(a.id) ?? 0) || a.id.localeCompare(b.id));
    const free = Array(n).fill(0);
    for (const t of wave) {
      const w = free.indexOf(Math.min(...free));
      free[w] += t.duration;
    }
    total += Math.max(...free);
  }
  return total;
}

/**
 * Greedy list scheduling simulated exactly: whenever a worker is free it takes the ready task with
 * the highest `priority`. With priorities from true durations this is the clairvoyant HLFET
 * schedule caid could reach only if it knew how long each agent will take.
 */
export function listMakespan(plan, n, priority) {
  const deps = new Map(plan.map((t) => [t.id, new Set(t.dependsOn)]));
  const children = new Map(plan.map((t) => [t.id, []]));
  for (const t of plan) for (const d of t.dependsOn) children.get(d).push(t.id);
  const byId = new Map(plan.map((t) => [t.id, t]));
  const ready = plan.filter((t) => !t.dependsOn.length).map((t) => t.id);
  const running = [];
  let now = 0;
  let idle = n;
  while (ready.length || running.length) {
    ready.sort((a, b) => priority.get(b) - priority.get(a) || a.localeCompare(b));
    while (idle && ready.length) {
      const id = ready.shift();
      running.push({ id, end: now + byId.get(id).duration });
      idle--;
    }
    running.sort((a, b) => a.end - b.end);
    const done = running.shift();
    now = done.end;
    idle++;
    for (const c of children.get(done.id)) {
      deps.get(c).delete(done.id);
      if (!deps.get(c).size) ready.push(c);
    }
  }
  return now;
}

/** Bottom levels weighted by true duration (what a clairvoyant scheduler would sort by). */
export function weightedLevels(plan) {
  const children = new Map(plan.map((t) => [t.id, []]));
  for (const t of plan) for (const d of t.dependsOn) children.get(d).push(t.id);
  const level = new Map();
  for (const t of [...plan].reverse()) level.set(t.id, t.duration + Math.max(0, ...children.get(t.id).map((c) => level.get(c))));
  return level;
}

/**
 * How a graph hangs together, counted in tasks: how many lie on some longest path (its trunk,
 * forks included) and the lengths of the dead-end branches that leave it.
 */
export function trunk(plan) {
  const children = new Map(plan.map((t) => [t.id, []]));
  for (const t of plan) for (const d of t.dependsOn) children.get(d).push(t.id);
  const depth = new Map();
  for (const t of plan) depth.set(t.id, 1 + Math.max(0, ...t.dependsOn.map((d) => depth.get(d))));
  const height = new Map();
  for (const t of [...plan].reverse()) height.set(t.id, 1 + Math.max(0, ...children.get(t.id).map((c) => height.get(c))));
  const longest = Math.max(...depth.values());
  const onTrunk = (id) => depth.get(id) + height.get(id) - 1 === longest;
  const branches = plan.filter((t) => !onTrunk(t.id) && t.dependsOn.some(onTrunk)).map((t) => height.get(t.id));
  return { longest, trunkTasks: plan.filter((t) => onTrunk(t.id)).length, branches };
}
