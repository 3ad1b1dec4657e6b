/**
 * A value that is there now or comes later. Inside a workflow every promise costs a captured stack trace (the
 * SDK's promise hook), so what usually need not wait (an expression evaluated here, a branch, a `set:`, a
 * skipped step) hands back its result directly, and makes a promise only when something does wait.
 */
export type Eventually<T> = T | Promise<T>;

/** `next` applied to the value: at once when it is there, else once it comes. */
export function andThen<T, U>(value: Eventually<T>, next: (value: T) => Eventually<U>): Eventually<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
