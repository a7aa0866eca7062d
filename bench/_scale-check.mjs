import { benchScale } from './scale.mjs';
const r = await benchScale({ sizes: [100], reps: 1, e2eSizes: (process.argv[2] ?? '100,300').split(',').map(Number), e2eReps: 1 });
console.log(JSON.stringify(r.e2e.map((x) => ({ tasks: x.tasks, perTask: x.perTask, merges: x.merges }))));
