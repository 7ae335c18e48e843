// AWS Signature Version 4 verification with @smithy/signature-v4: the request is signed again with the caller's
// secret, over exactly the headers the caller signed, and the two signatures are compared in constant time.
// What the headers say is checked before the body is read; the signature, which covers the body's hash, after.
import { timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ProtocolError } from "../errors";

export interface Credential {
  secretAccessKey: string;
  /** The account (registry) requests signed with this key belong to. */
  accountId: string;
  /** For temporary credentials: requests must carry it as X-Amz-Security-Token. */
  sessionToken?: string;
  /** The IAM user or role the key belongs to, as resource policies name it; default the account's root. */
  principalArn?: string;
}

export interface Authenticator {
  /** Checks the signature's headers; returns the caller's account and how to check the payload. Throws when refused. */
  begin(request: { method: string; path: string; query: Record<string, string>; headers: Readonly<Record<string, string>> }): Authentication;
}

export interface Authentication {
  accountId: string;
  /** The signer as an IAM ARN. */
  principal: string;
  /** Who signed (the access key id): slots for request bodies are shared fairly between callers. */
  caller: string;
  /** Throws unless the request's signature is right for a body with this SHA-256 (hex). */
  verify(payloadSha256: string): Promise<void>;
}

/** The ARN that stands for a whole account in IAM policies. */
export const rootOf = (accountId: string) => `arn:aws:iam::${accountId}:root`;

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;.-]+),\s*Signature=([0-9a-f]{64})$/;

const refuse = (type: string, message: string, status = 403) => new ProtocolError(type, status, message);

/**
 * Headers every signature must cover: without them a signature could be replayed for another host, time or operation
 * (a CreateRepository's signature sent as DeleteRepository). Every real client signs them.
 */
export const REQUIRED_SIGNED_HEADERS = ["host", "x-amz-date", "x-amz-target"];

export function sigv4Authenticator(opts: {
  service: string;
  /** The region requests must be scoped to. */
  region: string;
  credentials: Record<string, Credential>;
  now?: () => number;
}): Authenticator {
  const now = opts.now ?? Date.now;
  return {
    begin({ method, path, query, headers }) {
      const header = headers.authorization;
      if (!header) throw refuse("MissingAuthenticationTokenException", "Missing Authentication Token");
      const m = AUTH.exec(header);
      if (!m) {
        throw refuse("IncompleteSignatureException", `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' in AWS4-HMAC-SHA256 form: '${header.slice(0, 200)}'`, 400);
      }
      const [, keyId, scopeDate, region, service, signedList, signature] = m;
      const signed = signedList.split(";");
      const amzDate = headers["x-amz-date"];
      if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
        throw refuse("IncompleteSignatureException", "The request must carry X-Amz-Date (yyyyMMddTHHmmssZ)", 400);
      }
      const unsigned = REQUIRED_SIGNED_HEADERS.filter((h) => !signed.includes(h));
      if (unsigned.length) {
        throw refuse("IncompleteSignatureException", `${unsigned.map((h) => `'${h}'`).join(", ")} must be a 'SignedHeader' in the AWS Authorization.`, 400);
      }
      if (region !== opts.region) throw refuse("InvalidSignatureException", `Credential should be scoped to a valid region, not '${region}'. `);
      if (service !== opts.service) throw refuse("InvalidSignatureException", `Credential should be scoped to correct service: '${opts.service}'. `);
      if (scopeDate !== amzDate.slice(0, 8)) throw refuse("InvalidSignatureException", `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}'.`);
      const credential = Object.hasOwn(opts.credentials, keyId) ? opts.credentials[keyId] : undefined;
      if (!credential) throw refuse("UnrecognizedClientException", "The security token included in the request is invalid.");
      if ((credential.sessionToken ?? undefined) !== (headers["x-amz-security-token"] ?? undefined)) {
        throw refuse("UnrecognizedClientException", "The security token included in the request is invalid.");
      }
      const signingDate = parseAmzDate(amzDate);
      const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]|\.\d{3}/g, "");
      if (signingDate.getTime() < now() - MAX_CLOCK_SKEW_MS) {
        throw refuse("InvalidSignatureException", `Signature expired: ${amzDate} is now earlier than ${stamp(now() - MAX_CLOCK_SKEW_MS)} (${stamp(now())} - 15 min.)`);
      }
      if (signingDate.getTime() > now() + MAX_CLOCK_SKEW_MS) {
        throw refuse("InvalidSignatureException", `Signature not yet current: ${amzDate} is still later than ${stamp(now() + MAX_CLOCK_SKEW_MS)} (${stamp(now())} + 15 min.)`);
      }
      const claimed = headers["x-amz-content-sha256"];

      return {
        accountId: credential.accountId,
        principal: credential.principalArn ?? rootOf(credential.accountId),
        caller: keyId,
        async verify(payloadSha256) {
          if (claimed !== undefined && /^[0-9a-f]{64}$/.test(claimed) && claimed !== payloadSha256) {
            throw refuse("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
          }
          // Sign again over exactly the headers the client signed, with the body's hash given as the payload hash.
          const signedHeaders: Record<string, string> = {};
          for (const name of signed) if (headers[name] !== undefined) signedHeaders[name] = headers[name];
          const request = new HttpRequest({
            method,
            protocol: "http:",
            hostname: (headers.host ?? "").split(":")[0],
            path,
            query,
            headers: { ...signedHeaders, "x-amz-content-sha256": payloadSha256 },
          });
          const signer = new SignatureV4({
            service,
            region,
            credentials: { accessKeyId: keyId, secretAccessKey: credential.secretAccessKey, sessionToken: credential.sessionToken },
            sha256: Sha256Hash,
            uriEscapePath: true,
          });
          const unsignable = new Set(Object.keys(request.headers).filter((h) => !signed.includes(h)));
          const resigned = await signer.sign(request, { signingDate, unsignableHeaders: unsignable });
          const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1] ?? "";
          if (!timingSafeEqual(Buffer.from(expected.padEnd(64, "0"), "hex"), Buffer.from(signature, "hex"))) {
            throw refuse(
              "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
            );
          }
        },
      };
    },
  };
}

function parseAmzDate(s: string): Date {
  return new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
}

/** The hash @smithy/signature-v4 takes, as the SDK gives it in node. */
const Sha256Hash = Hash.bind(null, "sha256");
