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
  private inProgress = 0;
  private resultsKept = 0;
  /**
   * Memory stays bounded whatever the data: finished previews are forgotten, oldest first, once together they hold more
   * than `maxResults` results; at most `running` previews are worked out at once (each reads a whole repository).
   */
  constructor(
    private readonly maxResults = 1_000_000,
    private readonly running = 2,
  ) {}

  get(key: string, repositoryCreatedAt: number): Preview | undefined {
    const p = this.previews.get(key);
    return p && p.repositoryCreatedAt === repositoryCreatedAt ? p : undefined;
  }

  /** Starts a preview unless one for the repository is in progress, or as many as may run at once are. */
  start(key: string, policyText: string, repositoryCreatedAt: number, compute: () => Promise<Expiry[]>, onError: (e: unknown) => void): "started" | "in-progress" | "busy" {
    const current = this.previews.get(key);
    if (current?.status === "IN_PROGRESS") return "in-progress";
    if (this.inProgress >= this.running) return "busy";
    this.forget(key);
    const preview: Preview = { policyText, status: "IN_PROGRESS", results: [], repositoryCreatedAt };
    this.previews.set(key, preview);
    this.inProgress++;
    compute()
      .then(
        (results) => {
          Object.assign(preview, { status: "COMPLETE", results: [...results].sort((a, b) => (a.digest < b.digest ? -1 : 1)) });
          this.resultsKept += results.length;
          for (const [k, p] of this.previews) {
            if (this.resultsKept <= this.maxResults) break;
            if (p !== preview && p.status !== "IN_PROGRESS") this.forget(k);
          }
        },
        (e) => {
          preview.status = "FAILED";
          onError(e);
        },
      )
      .finally(() => this.inProgress--);
    return "started";
  }

  private forget(key: string): void {
    const p = this.previews.get(key);
    if (!p) return;
    this.resultsKept -= p.results.length;
    this.previews.delete(key);
  }
}
