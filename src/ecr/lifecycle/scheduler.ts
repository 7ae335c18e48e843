// The scheduled lifecycle run: every repository whose policy has not been evaluated for an interval is evaluated and
// its expired images removed, a repository at a time, yielding to requests between pages.
import type { RegistryStore } from "../../storage/types";
import type { KeyedLock } from "../keyed-lock";
import { expire, plan } from "./evaluation";
import { parseLifecyclePolicy } from "./policy";

/** Runs `task` every `everyMs`; returns how to stop. Tests pass their own to run the task when they choose. */
export type Schedule = (task: () => Promise<void>, everyMs: number) => () => void;

export const timerSchedule: Schedule = (task, everyMs) => {
  const timer = setInterval(() => void task(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
};

const PAGE = 100;

export class LifecycleEvaluator {
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly store: RegistryStore,
    private readonly locks: KeyedLock,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly log?: (fields: object, msg: string) => void,
  ) {}

  /** Evaluates every policy that is due; how many images expired. A run already under way is joined, not doubled. */
  runDue(): Promise<number> {
    this.running ??= this.evaluateDue().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops evaluating (at the next image) and resolves once a run under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async evaluateDue(): Promise<number> {
    try {
      return await this.evaluateAllDue();
    } catch (e) {
      // A store that fails to list (busy, a disk error) fails this run only; the next one tries again.
      this.log?.({ err: e }, "lifecycle evaluation failed; will retry");
      return 0;
    }
  }

  private async evaluateAllDue(): Promise<number> {
    const at = this.now();
    let expired = 0;
    let after: { registryId: string; repository: string } | undefined;
    for (;;) {
      const due = await this.store.listDueLifecyclePolicies(at - this.intervalMs, { after, limit: PAGE });
      for (const policy of due) {
        if (this.stopped) return expired;
        const { registryId, repository } = policy;
        try {
          const expiries = await plan(this.store, registryId, repository, parseLifecyclePolicy(policy.text), at);
          const n = await expire(this.store, this.locks, registryId, repository, expiries, () => this.stopped);
          if (this.stopped) return expired + n;
          await this.store.markLifecycleEvaluated(registryId, repository, policy.text, at);
          if (n) this.log?.({ registryId, repository, expired: n }, "lifecycle policy expired images");
          expired += n;
        } catch (e) {
          this.log?.({ registryId, repository, err: e }, "lifecycle evaluation failed; will retry");
        }
      }
      if (due.length < PAGE) return expired;
      after = { registryId: due[due.length - 1].registryId, repository: due[due.length - 1].repository };
    }
  }
}
