declare const __CLAUDE_GAUGE_VERSION__: string | undefined;

/** The package version, set by the build (tsup's and the binary's define); "dev" when run from source. */
export const VERSION: string = typeof __CLAUDE_GAUGE_VERSION__ === "string" ? __CLAUDE_GAUGE_VERSION__ : "dev";
