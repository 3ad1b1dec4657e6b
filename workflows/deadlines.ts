/**
 * The process's named deadlines (`deadlines:`), each fixed once its anchor is known and kept for the rest
 * of the instance (and across continue-as-new).
 */
import type { CompiledDefinition } from '../dsl/compile';
import type { Scope } from '../dsl/expressions';
import { evaluate } from '../dsl/expressions';
import { addDuration, instantOf } from './time';

export class Deadlines {
  /** Deadline name → ISO instant, for those already fixed. */
  constructor(private readonly def: CompiledDefinition, readonly fixed: Record<string, string>, private readonly scope: () => Scope) {}

  /** Deadlines whose anchor is already known (e.g. from the input) are fixed at start. */
  async fixKnown(): Promise<void> {
    for (const name of Object.keys(this.def.deadlines ?? {})) if (!this.fixed[name]) await this.at(name).catch(() => undefined);
  }

  /** The instant of a deadline, or undefined while its anchor has no value yet. */
  async at(name: string): Promise<Date | undefined> {
    if (this.fixed[name]) return new Date(this.fixed[name]);
    const spec = this.def.deadlines![name];
    const anchor = await evaluate(spec.from, this.scope());
    if (anchor === undefined || anchor === null) return undefined;
    const base = instantOf(anchor, this.def, spec.calendar);
    const at = spec.after === undefined ? base : addDuration(this.def, base, spec.after, spec.calendar);
    this.fixed[name] = at.toISOString();
    return at;
  }
}
