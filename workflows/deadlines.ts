/**
 * The process's named deadlines (`deadlines:`), each fixed once its anchor is known and kept for the rest
 * of the instance (and across continue-as-new).
 */
import type { CompiledDefinition } from '../dsl/compile';
import type { Eventually } from '../dsl/eventually';
import type { Scope } from '../dsl/expressions';
import { evaluate, evaluateEagerly } from '../dsl/expressions';
import { addDuration, instantOf } from './time';

export class Deadlines {
  /** Deadline name → ISO instant, for those already fixed. */
  constructor(private readonly def: CompiledDefinition, readonly fixed: Record<string, string>, private readonly scope: () => Scope) {}

  /** Deadlines whose anchor is already known (e.g. from the input) are fixed at start. */
  async fixKnown(): Promise<void> {
    for (const name of Object.keys(this.def.deadlines ?? {})) if (!this.fixed[name]) await this.at(name).catch(() => undefined);
  }

  /**
   * `fixKnown` without a promise while every anchor is evaluated here (instances started under `eager-steps`).
   * A deadline that cannot be fixed (its anchor is not a date) stays unfixed, as with `fixKnown`.
   */
  fixKnownEagerly(from = 0): Eventually<void> {
    const names = Object.keys(this.def.deadlines ?? {});
    for (let i = from; i < names.length; i++) {
      const name = names[i];
      if (this.fixed[name]) continue;
      let anchor: unknown;
      try {
        anchor = evaluateEagerly(this.def.deadlines![name].from, this.scope());
        if (!(anchor instanceof Promise)) this.fix(name, anchor);
      } catch {
        continue;
      }
      if (anchor instanceof Promise) {
        return anchor
          .then((value) => this.fix(name, value))
          .catch(() => undefined)
          .then(() => this.fixKnownEagerly(i + 1));
      }
    }
  }

  /** The instant of a deadline, or undefined while its anchor has no value yet. */
  async at(name: string): Promise<Date | undefined> {
    if (this.fixed[name]) return new Date(this.fixed[name]);
    return this.fix(name, await evaluate(this.def.deadlines![name].from, this.scope()));
  }

  private fix(name: string, anchor: unknown): Date | undefined {
    if (anchor === undefined || anchor === null) return undefined;
    const spec = this.def.deadlines![name];
    const base = instantOf(anchor, this.def, spec.calendar);
    const at = spec.after === undefined ? base : addDuration(this.def, base, spec.after, spec.calendar);
    this.fixed[name] = at.toISOString();
    return at;
  }
}
