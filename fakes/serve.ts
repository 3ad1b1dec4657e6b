/**
 * The local fakes in a process of their own (`tsx fakes/serve.ts`), so their data and journals outlive the
 * workers and the API the chaos harness kills. Starts the fakes of every system the environment does not
 * configure, on FAKES_PORT and the ports after it when set (otherwise any free ports), and prints one line,
 * `fakes ready <JSON>`: the environment that points connectors at them, and each fake's control URL.
 */
import { controlUrlOf, startFakes } from './index';
import { onStopSignal } from '../client/stop-signals';

async function main(): Promise<void> {
  const basePort = process.env.FAKES_PORT ? Number(process.env.FAKES_PORT) : undefined;
  const sandbox = await startFakes(process.env, { basePort });
  const controls = Object.fromEntries(sandbox.fakes.map((fake) => [fake.system, controlUrlOf(fake)]));
  const env = Object.assign({}, ...sandbox.fakes.map((fake) => fake.env)) as Record<string, string>;
  console.log(`fakes ready ${JSON.stringify({ env, controls })}`);
  onStopSignal(() => void sandbox.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
