import { buildWorkflowBundle } from './workflow-bundle';

buildWorkflowBundle(process.argv[2]).then(
  (out) => console.log(`workflow bundle written to ${out}`),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
