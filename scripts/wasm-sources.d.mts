// Types of wasm-sources.mjs, for the test that checks the committed modules are current.
export declare const root: string;
export declare const wasmDir: string;
export declare const compileFlags: readonly string[];
export declare const linkFlags: readonly string[];
export declare function inputFiles(): string[];
export declare function sourceFiles(): string[];
export declare function sourceHash(): string;
export declare const threadsCompileFlags: readonly string[];
export declare const threadsLinkFlags: readonly string[];
/** The modules the build writes into wasm/: the one-thread one, then the threaded one. */
export declare const variants: readonly { file: string; objDir: string; compileFlags: readonly string[]; linkFlags: readonly string[]; threads: boolean }[];
