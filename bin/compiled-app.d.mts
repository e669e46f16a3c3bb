/** The folder of the compiled app for the sources as they are now, compiling them first if needed. */
export function compiledApp(): string;
