import pkg from "../../../package.json";

/** The deployed code's version (package.json). */
export const VERSION: string = pkg.version;
