/**
 * The inbox's scripts and styles: `inbox/app/main.tsx` bundled by esbuild in memory the first time a page
 * asks for it (once per process), and Mermaid's own browser build, loaded only by the instance page.
 */
import { build } from 'esbuild';
import type { FastifyPluginAsync } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const ASSETS = '/inbox/assets';

interface Bundle {
  js: string;
  css: string;
}

let bundling: Promise<Bundle> | undefined;

/** Builds the application once; a failed build is retried on the next request rather than cached. */
export function inboxBundle(): Promise<Bundle> {
  bundling ??= bundleApp().catch((error) => {
    bundling = undefined;
    throw error;
  });
  return bundling;
}

async function bundleApp(): Promise<Bundle> {
  const result = await build({
    entryPoints: [path.join(__dirname, 'app', 'main.tsx')],
    bundle: true,
    write: false,
    outdir: 'out',
    minify: true,
    sourcemap: false,
    format: 'iife',
    target: ['es2022'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: file('.js'), css: file('.css') };
}

const CACHE = 'private, max-age=300';

export const assetRoutes: FastifyPluginAsync = async (app) => {
  // Not secret: the scripts hold no data, so the sign-in page can load them before anyone signs in.
  app.get(`${ASSETS}/app.js`, { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', CACHE).send((await inboxBundle()).js));
  app.get(`${ASSETS}/app.css`, { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', CACHE).send((await inboxBundle()).css));
  app.get(`${ASSETS}/mermaid.js`, { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', CACHE).send(await readFile(require.resolve('mermaid/dist/mermaid.min.js'))));
};
