// BatchGetRepositoryScanningConfiguration: how each named repository's images are scanned; a repository that does
// not exist is a failure, not an error.
import type {
  BatchGetRepositoryScanningConfigurationRequest,
  BatchGetRepositoryScanningConfigurationResponse,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
} from "../../../generated/types";
import { repositoryArn } from "../arns";
import { repositoryScanning } from "../scanning/configuration";
import type { Context } from "./context";

export async function BatchGetRepositoryScanningConfiguration(
  input: BatchGetRepositoryScanningConfigurationRequest,
  context: Context,
): Promise<BatchGetRepositoryScanningConfigurationResponse> {
  const registryId = context.accountId;
  const scanningConfigurations: RepositoryScanningConfiguration[] = [];
  const failures: RepositoryScanningConfigurationFailure[] = [];
  for (const name of new Set(input.repositoryNames)) {
    const repo = await context.store.getRepository(registryId, name);
    if (!repo) {
      failures.push({ repositoryName: name, failureCode: "REPOSITORY_NOT_FOUND", failureReason: `The repository with name '${name}' does not exist in the registry with id '${registryId}'` });
      continue;
    }
    scanningConfigurations.push({
      repositoryArn: repositoryArn(context.region, registryId, name),
      repositoryName: name,
      ...(await repositoryScanning(context, registryId, repo)),
    });
  }
  return { scanningConfigurations, failures };
}
