// Types of wasm-sources.mjs, for the test that checks the committed module is current.
export declare const root: string;
export declare const wasmDir: string;
export declare const compileFlags: readonly string[];
export declare const linkFlags: readonly string[];
export declare function inputFiles(): string[];
export declare function sourceFiles(): string[];
export declare function sourceHash(): string;
