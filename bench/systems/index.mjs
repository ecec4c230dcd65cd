// Registry of systems: the default selection and the optional extras.
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
];

// Not run unless named with --systems.
export const OPTIONAL_SYSTEMS = ["parallel-threads-tasks", "parallel-threads-tasks-ts"];

export const ALL_SYSTEMS = [...DEFAULT_SYSTEMS, ...OPTIONAL_SYSTEMS];
