/** Types of build.mjs (the view's build script), for the test that checks the checked-in module is fresh. */
export declare const MODULE_PATH: string;
export declare function buildForecastHtml(): string;
export declare function buildModule(): string;
