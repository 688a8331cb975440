/**
 * A WebAuthn authenticator in software, for tests (issue 16): it makes real ES256 (P-256) key
 * pairs with node:crypto and answers the server's options as a browser and a platform
 * authenticator would ('none' attestation), so the server's checks by `@simplewebauthn/server` run
 * for real. Nothing of the library is replaced; only the device is.
 *
 *   const device = new SoftwareAuthenticator();
 *   const answer = device.register(creationOptions, 'https://rollcall.test');      // RegistrationResponseJSON
 *   const assertion = device.authenticate(requestOptions, 'https://rollcall.test'); // AuthenticationResponseJSON
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// --- A small CBOR encoder (RFC 8949): unsigned and negative integers, byte and text strings, maps.

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(value, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(value, 1);
  return b;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

interface Credential {
  readonly id: Buffer;
  readonly privateKey: KeyObject;
  readonly userHandle: string;
  readonly rpId: string;
  counter: number;
}

export interface CreationOptions {
  readonly challenge: string;
  readonly rp: { readonly id?: string };
  readonly user: { readonly id: string };
}

export interface RequestOptions {
  readonly challenge: string;
  readonly rpId?: string;
  readonly allowCredentials?: readonly { readonly id: string }[];
}

export class SoftwareAuthenticator {
  private readonly credentials: Credential[] = [];

  /** How much the signature counter grows per use (0: an authenticator that keeps no counter). */
  constructor(private readonly counterStep = 1) {}

  /** The ids (base64url) of the passkeys this device holds. */
  get ids(): string[] {
    return this.credentials.map((c) => b64url(c.id));
  }

  /**
   * Creates a passkey for the options' relying party and user, as navigator.credentials.create
   * would answer at `origin`. `overrides` lets a test answer wrongly (another origin or challenge).
   */
  register(
    options: CreationOptions,
    origin: string,
    overrides: { challenge?: string; rpId?: string } = {},
  ): Record<string, unknown> {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const id = randomBytes(16);
    const credential: Credential = { id, privateKey, userHandle: options.user.id, rpId, counter: 0 };
    const coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([0x01 | 0x04 | 0x40]), // user present, user verified, attested credential data
      Buffer.alloc(4), // counter 0
      Buffer.alloc(16), // AAGUID: none
      idLength,
      id,
      coseKey,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: overrides.challenge ?? options.challenge,
        origin,
        crossOrigin: false,
      }),
    );
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.credentials.push(credential);
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * Signs in with a passkey this device holds for the options (the first allowed one), as
   * navigator.credentials.get would answer at `origin`. The counter grows by `counterStep` unless
   * `counter` says what to send (a cloned authenticator).
   */
  authenticate(
    options: RequestOptions,
    origin: string,
    overrides: { challenge?: string; counter?: number; credentialId?: string } = {},
  ): Record<string, unknown> {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential = this.credentials.find((c) =>
      overrides.credentialId
        ? b64url(c.id) === overrides.credentialId
        : allowed.size === 0 || allowed.has(b64url(c.id)),
    );
    if (!credential) throw new Error('NotAllowedError: no passkey on this device for these options');
    credential.counter += this.counterStep;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(overrides.counter ?? credential.counter);
    const authenticatorData = Buffer.concat([
      sha256(options.rpId ?? credential.rpId),
      Buffer.from([0x01 | 0x04]),
      counter,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: overrides.challenge ?? options.challenge,
        origin,
        crossOrigin: false,
      }),
    );
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
