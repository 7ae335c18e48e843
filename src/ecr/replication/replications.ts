// Replication: an image pushed to a repository a rule covers is copied, in the background, to each of the rule's
// destinations this server holds (another region, another account's registry), with its tags. Each copy is
// IN_PROGRESS until it ends COMPLETE or FAILED with the reason; copies a stopped server left under way resume when it
// starts again. A copy arriving is no push of the destination's own: it is not replicated further.
import type { Readable } from "node:stream";
import { ImageAlreadyExistsException } from "../../../generated/errors";
import type { ImageRecord, ImageReplicationRecord, RegistryStore } from "../../storage/types";
import { repositoryArn } from "../arns";
import { BackgroundQueue } from "../background-queue";
import { importBlob } from "../blob-imports";
import { createFromTemplate, templateFor } from "../creation-templates";
import type { Context } from "../handlers/context";
import { putImage } from "../image-pushes";
import { parseManifest } from "../manifests";
import { evaluatePolicy } from "../policies/iam-policy";
import type { Regions } from "../regions";
import { destinationsOf } from "./configuration";

/** After a push (a new image, or a tag moved): asks for the image's copies to the destinations covering its repository. */
export async function replicateOnPush(ctx: Context, registryId: string, repository: string, digest: string): Promise<void> {
  const destinations = await destinationsOf(ctx, registryId, repository);
  if (!destinations.length) return;
  if (await ctx.store.requestReplications({ registryId, repository, digest }, destinations)) ctx.replications.kick();
}

/** Why a copy cannot be made, in the words DescribeImageReplicationStatus reports. */
class ReplicationFailure extends Error {}

/** The background copying: the queue is the store's copies in progress. */
export class Replications {
  private readonly queue: BackgroundQueue<ImageReplicationRecord>;

  constructor(
    private readonly store: RegistryStore,
    private readonly regions: Regions,
    private readonly log?: (fields: object, msg: string) => void,
  ) {
    this.queue = new BackgroundQueue(
      (after, limit) => store.listReplicationsInProgress({ after, limit }),
      (r, signal) => this.runRecorded(r, signal),
      (e) => this.log?.({ err: e }, "the replication queue could not be read"),
    );
  }

  kick(): void {
    this.queue.kick();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async runRecorded(r: ImageReplicationRecord, signal: AbortSignal): Promise<void> {
    let failure: string | undefined;
    try {
      await this.copy(r, signal);
    } catch (e) {
      // Stopping mid-copy leaves it IN_PROGRESS, to run again at the next start (what was copied stays).
      if (signal.aborted) return;
      // The server's own failures (a disk error, say) stay in its log; the status says only that one happened.
      failure = e instanceof ReplicationFailure ? e.message : "The image could not be copied because of an error in this server (see its log); pushing it again retries";
      if (!(e instanceof ReplicationFailure)) this.log?.({ ...r, err: e }, "an image copy failed");
    }
    // A store that cannot record the outcome leaves the copy IN_PROGRESS, to run again at the next start.
    const recorded = await this.store.finishReplication(r, failure ? "FAILED" : "COMPLETE", failure).catch(() => false);
    if (recorded) this.log?.({ registryId: r.registryId, repository: r.repository, digest: r.digest, destination: r.destination, failure }, "image copy ended");
  }

  private async copy(r: ImageReplicationRecord, signal: AbortSignal): Promise<void> {
    const { region, registryId } = r.destination;
    const image = await this.store.getImage(r.registryId, r.repository, r.digest);
    if (!image) return; // Deleted meanwhile: its copies' records went with it.
    const dest = this.regions.context(region, registryId, "ReplicateImage");
    if (!dest) throw new ReplicationFailure(`This server does not hold the region '${region}'; it holds the regions it was started with`);
    if (registryId !== r.registryId) await this.checkGranted(dest, r, "ecr:ReplicateImage");
    if (!(await dest.store.getRepository(registryId, r.repository))) {
      if (registryId !== r.registryId) await this.checkGranted(dest, r, "ecr:CreateRepository");
      const template = (await templateFor(dest, registryId, r.repository, "REPLICATION")) ?? { prefix: "ROOT" };
      if ((await createFromTemplate(dest, registryId, r.repository, template)) === "limit") {
        throw new ReplicationFailure(`The destination registry already has the maximum of ${dest.settings.maxRepositoriesPerRegistry} repositories`);
      }
    }
    await this.copyManifest(r, dest, image, 0, signal);
    const tags = await this.store.listImageTags(r.registryId, r.repository, r.digest);
    for (const tag of tags.length ? tags : [undefined]) await arrive(dest, registryId, r.repository, image, tag);
  }

  /** Copies what the image's manifest names: its blobs, or for a list or index its manifests (and theirs). */
  private async copyManifest(r: ImageReplicationRecord, dest: Context, image: ImageRecord, depth: number, signal: AbortSignal): Promise<void> {
    const parsed = parseManifest(image.manifest, image.mediaType);
    const to = r.destination.registryId;
    for (const blob of parsed.blobs) {
      await importBlob(dest, to, r.repository, blob, async () => {
        const reader = await this.store.openBlob(r.registryId, blob.digest);
        if (!reader) throw new ReplicationFailure(`The layer ${blob.digest} is no longer stored`);
        const bytes = reader.stream(0, reader.size - 1) as Readable;
        // Stopping cuts a long copy short; the upload is dropped and the copy runs again at the next start.
        const cut = () => bytes.destroy(signal.reason);
        signal.addEventListener("abort", cut, { once: true });
        bytes.once("close", () => signal.removeEventListener("abort", cut));
        return bytes;
      });
    }
    for (const entry of parsed.manifests) {
      const child = await this.store.getImage(r.registryId, r.repository, entry.digest);
      if (!child) throw new ReplicationFailure(`The image ${entry.digest} the list names is no longer stored`);
      // An index of indexes is as deep as ECR goes.
      if (depth < 2) await this.copyManifest(r, dest, child, depth + 1, signal);
      await arrive(dest, to, r.repository, child, undefined);
    }
  }

  /** A cross-account copy needs the destination registry's policy to allow the source account the action. */
  private async checkGranted(dest: Context, r: ImageReplicationRecord, action: string): Promise<void> {
    const { region, registryId } = r.destination;
    const text = await dest.store.getRegistryPolicy(registryId);
    const policy = text === undefined ? undefined : dest.policies.get(text, true);
    const caller = { principal: `arn:aws:iam::${r.registryId}:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication`, accountId: r.registryId };
    if (policy && evaluatePolicy(policy, caller, action, repositoryArn(region, registryId, r.repository)) === "Allow") return;
    throw new ReplicationFailure(`The registry policy of ${registryId} in ${region} does not allow account ${r.registryId} ${action}`);
  }
}

/** Puts the copied manifest (and tag) in the destination; already there is done. */
async function arrive(dest: Context, registryId: string, repository: string, image: ImageRecord, tag: string | undefined): Promise<void> {
  try {
    await putImage(dest, registryId, repository, image.manifest, { tag, mediaType: image.mediaType, arrived: true });
  } catch (e) {
    if (e instanceof ImageAlreadyExistsException) return;
    throw new ReplicationFailure(`${(e as Error).name}: ${(e as Error).message}`);
  }
}
