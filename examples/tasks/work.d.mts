// Types of work.mjs, so TypeScript callers of tasks() get exact signatures.
export declare function digest(text: string, rounds: number): string;
export declare function countWords(text: string): Promise<number>;
