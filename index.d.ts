// The public types of parallel-threads (declarations of the TypeScript layer, built into dist/).
export * from "./dist/index.js";
