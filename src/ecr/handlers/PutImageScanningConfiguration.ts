// PutImageScanningConfiguration: the repository's scan-on-push setting, as DescribeRepositories shows it afterwards.
import type { PutImageScanningConfigurationRequest, PutImageScanningConfigurationResponse } from "../../../generated/types";
import { repositoryNotFound } from "../errors";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function PutImageScanningConfiguration(
  input: PutImageScanningConfigurationRequest,
  context: Context,
): Promise<PutImageScanningConfigurationResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  const scanOnPush = input.imageScanningConfiguration.scanOnPush ?? false;
  return context.repositoryLocks.run(`${registryId}/${name}`, async () => {
    const repo = await requireRepository(context, registryId, name);
    if (!(await context.store.updateRepository(registryId, name, { ...repo, scanOnPush }))) throw repositoryNotFound(registryId, name);
    return { registryId, repositoryName: name, imageScanningConfiguration: { scanOnPush } };
  });
}
