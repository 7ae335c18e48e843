// Repository ARNs, as TagResource, UntagResource and ListTagsForResource take them:
// `arn:<partition>:ecr:<region>:<account>:repository/<name>`.
import { InvalidParameterException } from "../../generated/errors";
import type { Context } from "./handlers/context";
import { registryOf } from "./repositories";

/** A repository's ARN (a name of `*` stands for all of the registry's). */
export const repositoryArn = (region: string, registryId: string, name: string) => `arn:aws:ecr:${region}:${registryId}:repository/${name}`;

const REPOSITORY_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

/** The registry and repository an ARN names; a malformed ARN, or one of another region, is InvalidParameterException. */
export function parseRepositoryArn(arn: string, ctx: Context): { registryId: string; name: string } {
  const m = REPOSITORY_ARN.exec(arn);
  const shown = arn.length > 300 ? `${arn.slice(0, 300)}...` : arn;
  if (!m) throw new InvalidParameterException({ message: `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: ${shown}'` });
  if (m[2] !== ctx.region) {
    throw new InvalidParameterException({ message: `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'The ARN's region ${m[2]} is not this endpoint's region ${ctx.region}'` });
  }
  return { registryId: registryOf({ registryId: m[3] }, ctx), name: m[4] };
}
