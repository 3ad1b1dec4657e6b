/**
 * Refuses, at import, a Node.js older than the product supports: 24 LTS (Node 20 left support in April 2026).
 * Entry points import this module first, before anything that needs a newer Node fails with an obscure error.
 * npm scripts run the project's own Node 24 (the `node` devDependency, first on PATH inside `npm start`,
 * `npm test`, `npm run ...`), so this is met only when an entry point is started with an older `node` directly.
 */
export const MINIMUM_NODE_MAJOR = 24;

const running = process.versions.node;
if (Number(running.split('.')[0]) < MINIMUM_NODE_MAJOR) {
  console.error(
    `Node.js ${running} is not supported: the product runs on Node.js ${MINIMUM_NODE_MAJOR} or newer. ` +
      `Start it through npm (npm start, npm run worker, npm run api, npm run cli -- ...), which runs the project's own ` +
      `Node ${MINIMUM_NODE_MAJOR} from node_modules after \`npm ci\`, or install Node.js ${MINIMUM_NODE_MAJOR}.`,
  );
  process.exit(1);
}
