import 'vitest';

// Values that test/global-setup.ts provides to every test file through inject().
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}
