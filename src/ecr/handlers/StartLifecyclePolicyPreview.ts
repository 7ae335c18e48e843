// StartLifecyclePolicyPreview: works out in the background which images the given rules (or the repository's own)
// would expire now, exactly as a run would; GetLifecyclePolicyPreview shows the result.
import { throttled } from "../../framework/errors";
import type { StartLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewResponse } from "../../../generated/types";
import { lifecyclePolicyNotFound, lifecyclePreviewInProgress } from "../errors";
import { plan } from "../lifecycle/evaluation";
import { parseLifecyclePolicy } from "../lifecycle/policy";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function StartLifecyclePolicyPreview(input: StartLifecyclePolicyPreviewRequest, context: Context): Promise<StartLifecyclePolicyPreviewResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName } = input;
  const repo = await requireRepository(context, registryId, repositoryName);
  const text = input.lifecyclePolicyText ?? (await context.store.getLifecyclePolicy(registryId, repositoryName))?.text;
  if (text === undefined) throw lifecyclePolicyNotFound(registryId, repositoryName);
  const rules = parseLifecyclePolicy(text);
  const at = context.now();
  const started = context.lifecyclePreviews.start(
    `${registryId}/${repositoryName}`,
    text,
    repo.createdAt,
    () => plan(context.store, registryId, repositoryName, rules, at),
    () => undefined,
  );
  if (started === "in-progress") throw lifecyclePreviewInProgress(registryId, repositoryName);
  if (started === "busy") throw throttled("Rate exceeded: other lifecycle policy previews are still being worked out; try again shortly");
  return { registryId, repositoryName, lifecyclePolicyText: text, status: "IN_PROGRESS" };
}
