/**
 * The OpenAPI document at /api/openapi.json is truthful enough to build a client from: TypeScript
 * types generated from it with openapi-typescript type-check a small client that reads a register
 * and saves marks with an API key (and no answer of any operation is `never` or `unknown`), and
 * the document passes Redocly's recommended rules with no error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness } from '../../test/web-pages.js';
import { apiRoutes } from './api.js';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        responses: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
  webhooks: Record<string, { post: { operationId: string } }>;
}

const CLIENT = `
import type { components, paths } from './api';

type RegisterPath = paths['/api/registers/{groupId}/{date}/{session}'];
type Register = RegisterPath['get']['responses'][200]['content']['application/json'];
type SaveBody = NonNullable<RegisterPath['put']['requestBody']>['content']['application/json'];
type Saved = RegisterPath['put']['responses'][200]['content']['application/json'];
type Refused = RegisterPath['put']['responses'][409]['content']['application/json'];
type MarkCode = components['schemas']['MarkCode'];

/** Reads a register and marks everyone present who has no mark yet, with an API key. */
export async function markPresent(base: string, key: string, groupId: string, date: string): Promise<string> {
  const url = base + '/api/registers/' + groupId + '/' + date + '/AM';
  const headers = { authorization: 'Bearer ' + key, 'content-type': 'application/json' };
  const got = await fetch(url, { headers });
  const register = (await got.json()) as Register;
  const version: number = register.version;
  const state: 'notYetOpen' | 'open' | 'closed' = register.state;
  const present: MarkCode = '/';
  const marks: SaveBody['marks'] = register.pupils.map((p) => {
    const seen: MarkCode | null = p.code;
    const pupilId: string = p.pupil.id;
    return { pupilId, code: seen ?? present, seen };
  });
  const body: SaveBody = { version, marks };
  const put = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(body) });
  if (put.status === 409) {
    const refused = (await put.json()) as Refused;
    const conflict = refused.error.conflict;
    const who: string = conflict?.savedBy ?? refused.error.message;
    const when: string | null = conflict?.savedAt ?? null;
    const pupils: string[] = conflict?.changes.map((c) => c.pupilId + ' ' + (c.code ?? 'no mark')) ?? [];
    return who + ' at ' + String(when) + ': ' + pupils.join(', ') + ' (' + state + ')';
  }
  const saved = (await put.json()) as Saved;
  const changed: number = saved.changed;
  return 'version ' + String(saved.version) + ', ' + String(changed) + ' changed';
}
`;

describe('the OpenAPI document', () => {
  let t: PagesHarness;
  let doc: Doc;
  let source: string;
  beforeAll(async () => {
    t = await pagesHarness([apiRoutes], 'api-openapi', '2025-09-08T08:00:00.000Z');
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    source = res.body;
    doc = res.json<Doc>();
  });
  afterAll(async () => {
    await t.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );

  it('gives every operation an id and an answer with a schema for every status', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(10);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of ops) {
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        `${method} ${path} has a 2xx`,
      ).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.content, `${method} ${path} ${status} has content`).toBeDefined();
        if (/^[45]/.test(status)) {
          expect(response.content!['application/json']).toEqual({ schema: { $ref: '#/components/schemas/Error' } });
        }
      }
    }
    // Creating answers 201, and says so.
    expect(Object.keys(doc.paths['/api/late-arrivals']!.post!.responses)).toContain('201');
    expect(Object.keys(doc.paths['/api/late-arrivals']!.post!.responses)).not.toContain('200');
    // CSV answers are described as CSV.
    expect(Object.keys(doc.paths['/api/exports/daily-attendance']!.get!.responses['200']!.content!)).toEqual([
      'text/csv',
    ]);
    expect(JSON.stringify(doc.components.schemas['MarkCode'])).toContain('"enum"');
    // The webhooks a receiver gets are described too (OpenAPI 3.1 `webhooks`).
    expect(Object.keys(doc.webhooks).sort()).toEqual([
      'absence.reported',
      'case.opened',
      'mark.changed',
      'marks.changed',
    ]);
    expect(doc.webhooks['marks.changed']!.post.operationId).toBe('marksChangedWebhook');
    expect(doc.webhooks['mark.changed']!.post.operationId).toBe('markChangedWebhook');
  });

  it('generates TypeScript types that type-check a client reading a register and saving marks', async () => {
    const generated = astToString(await openapiTS(source));
    // Every answer of every operation, checked to be neither never nor unknown.
    const checks = operations().flatMap(({ path, method, op }) =>
      Object.entries(op.responses).flatMap(([status, response]) =>
        Object.keys(response.content ?? {}).map(
          (type, i) =>
            `const _${op.operationId}_${status}_${i}: Known<paths[${JSON.stringify(path)}][${JSON.stringify(
              method,
            )}]['responses'][${status}]['content'][${JSON.stringify(type)}]> = true;`,
        ),
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-openapi-'));
    try {
      writeFileSync(join(dir, 'api.d.ts'), generated);
      writeFileSync(join(dir, 'client.ts'), CLIENT);
      // And every webhook's body, as a receiver would type it.
      const events = Object.keys(doc.webhooks).map(
        (event, i) =>
          `const _webhook_${i}: Known<webhooks[${JSON.stringify(event)}]['post']['requestBody']['content']['application/json']> = true;`,
      );
      writeFileSync(
        join(dir, 'answers.ts'),
        "import type { paths, webhooks } from './api';\n" +
          'type Known<T> = [T] extends [never] ? "never" : unknown extends T ? "unknown" : true;\n' +
          [...checks, ...events].join('\n') +
          "\nconst _type: webhooks['mark.changed']['post']['requestBody']['content']['application/json']['type'] = 'mark.changed';\n" +
          'export {};\n',
      );
      const program = ts.createProgram([join(dir, 'client.ts'), join(dir, 'answers.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: true,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(problems).toEqual([]);
      expect(checks.length).toBeGreaterThanOrEqual(operations().length * 2);

      // The check bites: an operation answering `never` would fail it.
      writeFileSync(
        join(dir, 'answers.ts'),
        "type Known<T> = [T] extends [never] ? 'never' : unknown extends T ? 'unknown' : true;\n" +
          'const _a: Known<never> = true;\nconst _b: Known<unknown> = true;\nexport {};\n',
      );
      const bad = ts.createProgram([join(dir, 'answers.ts')], { strict: true, noEmit: true, types: [] });
      expect(ts.getPreEmitDiagnostics(bad).length).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes Redocly's recommended rules with no error", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: '/api/openapi.json', config });
    const describe = (p: (typeof problems)[number]) =>
      `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`;
    expect(problems.filter((p) => p.severity === 'error').map(describe)).toEqual([]);
    // Warnings are reported too; there are none.
    expect(problems.map(describe)).toEqual([]);
  });
});
