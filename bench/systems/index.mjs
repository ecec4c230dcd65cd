// Registry of systems: the default selection and the optional extras.
// Systems of the job rows only (bench/jobs).
export const JOB_ONLY_SYSTEMS = ["parallel-threads-cores", "piscina-cores", "tinypool-cores", "bare-split"];

export const DEFAULT_SYSTEMS = [
  "parallel-threads",
  "parallel-threads-no-sites",
  "piscina",
  "tinypool",
  "poolifier",
  "synckit",
  "bare-worker",
  "bare-atomics",
  "sequential",
  ...JOB_ONLY_SYSTEMS,
];

// Not run unless named with --systems.
export const OPTIONAL_SYSTEMS = ["parallel-threads-tasks", "parallel-threads-tasks-ts", "parallel-threads-at"];

export const ALL_SYSTEMS = [...DEFAULT_SYSTEMS, ...OPTIONAL_SYSTEMS];
