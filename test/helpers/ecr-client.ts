// A real @aws-sdk/client-ecr pointed at a local server: one attempt, fixed test credentials.
import { ECRClient } from "@aws-sdk/client-ecr";

export function ecrClient(endpoint: string, overrides: Partial<ConstructorParameters<typeof ECRClient>[0]> = {}): ECRClient {
  return new ECRClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
    ...overrides,
  });
}
