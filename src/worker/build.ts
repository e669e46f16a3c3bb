// `npm run build`: the workflow bundle a production worker loads instead of bundling at every start.
import { buildWorkflowBundle } from './workflow-bundle.js';

const { path, sourceCount } = await buildWorkflowBundle(process.argv[2]);
console.log(`workflow bundle written to ${path} (built from ${sourceCount} source files)`);
