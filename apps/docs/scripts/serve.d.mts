/** Serves the built site with COOP/COEP; see serve.mjs. */
export declare const DIST: string;
export declare function serveSite(options?: { port?: number; host?: string }): Promise<{ url: string; close: () => Promise<void> }>;
