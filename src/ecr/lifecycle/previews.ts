// Lifecycle policy previews: what a policy would expire, worked out in the background. Kept in memory, like AWS's
// previews they are transient (a restart forgets them, and GetLifecyclePolicyPreview then says there is none).
import type { Expiry } from "./evaluation";

export interface Preview {
  policyText: string;
  status: "IN_PROGRESS" | "COMPLETE" | "FAILED";
  /** By digest. */
  results: Expiry[];
  /** The repository it belongs to, by creation time: a repository deleted and made again has no preview. */
  repositoryCreatedAt: number;
}

export class LifecyclePreviews {
  private readonly previews = new Map<string, Preview>();
  /**
   * At most `max` repositories' previews are kept (the oldest finished one goes first), and at most `running` are
   * worked out at once: each reads a whole repository.
   */
  constructor(
    private readonly max = 1000,
    private readonly running = 2,
  ) {}

  get(key: string, repositoryCreatedAt: number): Preview | undefined {
    const p = this.previews.get(key);
    return p && p.repositoryCreatedAt === repositoryCreatedAt ? p : undefined;
  }

  /** Starts a preview unless one for the repository is in progress, or as many as may run at once are. */
  start(key: string, policyText: string, repositoryCreatedAt: number, compute: () => Promise<Expiry[]>, onError: (e: unknown) => void): "started" | "in-progress" | "busy" {
    const current = this.get(key, repositoryCreatedAt);
    if (current?.status === "IN_PROGRESS") return "in-progress";
    if ([...this.previews.values()].filter((p) => p.status === "IN_PROGRESS").length >= this.running) return "busy";
    const preview: Preview = { policyText, status: "IN_PROGRESS", results: [], repositoryCreatedAt };
    this.previews.delete(key);
    if (this.previews.size >= this.max) {
      for (const [k, p] of this.previews) {
        if (p.status !== "IN_PROGRESS") {
          this.previews.delete(k);
          break;
        }
      }
    }
    this.previews.set(key, preview);
    compute().then(
      (results) => Object.assign(preview, { status: "COMPLETE", results: [...results].sort((a, b) => (a.digest < b.digest ? -1 : 1)) }),
      (e) => {
        preview.status = "FAILED";
        onError(e);
      },
    );
    return "started";
  }
}
