/**
 * Whole answers of the gateway, cached: the same question over the same blocks
 * is one cache lookup, with no resolver, no arithmetic and no source read.
 *
 * An answer is kept under its question (the document as graphql-js prints it,
 * so spacing and comments do not matter; the variables, with their keys in
 * order; the operation name; the configured sources and svr's version, so that
 * a shared Redis never answers for another configuration or release) and the
 * block hash every source it read was
 * pinned to. Which sources a question reads is learnt from its first answer
 * and kept beside it (the plan); the next time, their heads (the sources'
 * `_meta`, cached with stale-while-revalidate by the reader) give the key, so a
 * new block on any of them is a miss. The entries live in the sources'
 * ResponseCache: in memory, or in Redis shared by replicas.
 *
 * Not kept: answers with errors (a source left out, a bad argument), answers
 * with `complete: false` anywhere, answers read from a source at a head past
 * its time to live (a source that may be failing), and answers that read what
 * no block pins (the index-node's status). Such questions are answered afresh
 * every time.
 */
import { createHash } from 'node:crypto';
import { parse, print } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths';
import type { CachePolicy, ResponseCache, RequestSources, SourceRegistry } from '../sources';

/** What the gateway sends back over HTTP. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface GraphQLQuestion {
  query: string;
  variables?: unknown;
  operationName?: unknown;
}

/** Where an answer came from: the cache, a computation it then kept, a computation it did not keep, or no cache at all. */
export type AnswerSource = 'hit' | 'stored' | 'not-stored' | 'bypass';

/** The documents whose printed form is remembered, by their text: a bound on memory, not on correctness. */
const NORMALISED_DOCUMENTS = 1000;

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` are one question. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** True when a `complete` field anywhere in the answer is false. */
function incomplete(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(incomplete);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'complete' && v === false) return true;
    if (incomplete(v)) return true;
  }
  return false;
}

/** svr's version: a kept answer is one of this code's (Redis outlives a release). */
const CODE_VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export class WholeResponses {
  private readonly printed = new Map<string, string | null>();
  /** Each registry's digest (its sources and their URLs): replicas configured alike share answers, others do not. */
  private readonly registries = new WeakMap<SourceRegistry, string>();
  /** Counts for tests and /metrics. */
  readonly stats: Record<AnswerSource, number> = { hit: 0, stored: 0, 'not-stored': 0, bypass: 0 };

  constructor(
    private readonly cache: ResponseCache,
    private readonly policy: CachePolicy,
    /** The gateway's token limit: a longer document is not parsed here (Apollo refuses it). */
    private readonly maxTokens: number,
  ) {}

  /** The document as graphql-js prints it; null when it does not parse (Apollo answers why). */
  private normalise(query: string): string | null {
    const known = this.printed.get(query);
    if (known !== undefined) return known;
    let out: string | null;
    try {
      const document = parse(query, { maxTokens: this.maxTokens });
      // Subscriptions and mutations are not questions about blocks.
      out = document.definitions.every((d) => d.kind !== 'OperationDefinition' || d.operation === 'query') ? print(document) : null;
    } catch {
      out = null;
    }
    if (this.printed.size >= NORMALISED_DOCUMENTS) this.printed.delete(this.printed.keys().next().value!);
    this.printed.set(query, out);
    return out;
  }

  /**
   * The answer to `question`, from the cache when the sources it reads are at
   * the blocks it was answered at; otherwise from `execute`, which answers it
   * reading through `sources` (the same pins the key was made of).
   */
  async answer(question: GraphQLQuestion, sources: RequestSources, execute: () => Promise<HttpAnswer | null>): Promise<{ answer: HttpAnswer | null; source: AnswerSource }> {
    const document = this.normalise(question.query);
    if (document === null) return this.counted(await execute(), 'bypass');
    const asked = digest(
      `${this.registryDigest(sources.registry)}\0${document}\0${canonicalJson(question.variables ?? {})}\0${typeof question.operationName === 'string' ? question.operationName : ''}`,
    );
    const planKey = `plan|${asked}`;
    const plan = (await this.cache.peek<string[]>(planKey, this.policy))?.value;
    const pinned = plan ? await this.pinsOf(plan, sources) : null;
    if (!plan || pinned === null) return this.answerAfresh(asked, planKey, sources, execute);

    const key = `answer|${asked}|${digest(pinned)}`;
    // Set when this request computed the answer itself (a miss), rather than getting it from the cache or from another request's load.
    const own: { answer?: HttpAnswer | null; stored?: boolean } = {};
    try {
      const got = await this.cache.get<HttpAnswer>(key, this.policy, async () => {
        own.answer = await execute();
        const readAs = this.keepable(own.answer, sources);
        // Read at other sources than the plan said (one configured since, an argument that reaches further): learn them, keep it under its own key.
        if (readAs !== pinned) {
          own.stored = readAs !== null && (await this.learn(asked, planKey, sources, readAs, own.answer!));
          throw new NotKept();
        }
        own.stored = true;
        return own.answer!;
      });
      if ('answer' in own) return this.counted(own.answer!, own.stored ? 'stored' : 'not-stored');
      return this.counted(got.value, 'hit');
    } catch (e) {
      if ('answer' in own) return this.counted(own.answer!, own.stored ? 'stored' : 'not-stored');
      // Another request's load of the key, whose answer was not kept: answer this one ourselves.
      if (!(e instanceof NotKept)) throw e;
      return this.answerAfresh(asked, planKey, sources, execute);
    }
  }

  private registryDigest(registry: SourceRegistry): string {
    let known = this.registries.get(registry);
    if (!known) {
      known = digest(`${CODE_VERSION}\0${canonicalJson(registry.list())}`);
      this.registries.set(registry, known);
    }
    return known;
  }

  private counted(answer: HttpAnswer | null, source: AnswerSource): { answer: HttpAnswer | null; source: AnswerSource } {
    this.stats[source]++;
    return { answer, source };
  }

  private async answerAfresh(asked: string, planKey: string, sources: RequestSources, execute: () => Promise<HttpAnswer | null>): Promise<{ answer: HttpAnswer | null; source: AnswerSource }> {
    const answer = await execute();
    const readAs = this.keepable(answer, sources);
    const stored = readAs !== null && (await this.learn(asked, planKey, sources, readAs, answer!));
    return this.counted(answer, stored ? 'stored' : 'not-stored');
  }

  /** Stores the plan (the sources read) and the answer under the blocks it read at. */
  private async learn(asked: string, planKey: string, sources: RequestSources, readAs: string, answer: HttpAnswer): Promise<boolean> {
    const plan = [...sources.readSet().keys()].sort();
    await this.cache.put(planKey, plan, this.policy);
    await this.cache.put(`answer|${asked}|${digest(readAs)}`, answer, this.policy);
    return true;
  }

  /** The sources' heads now, as `source@hash` lines in the plan's order; null when one has no hash or fails (no key: answer afresh). */
  private async pinsOf(plan: readonly string[], sources: RequestSources): Promise<string | null> {
    const definitions = plan.map((key) => {
      const [protocol, network] = key.split('/');
      return sources.registry.get(protocol, network);
    });
    if (definitions.some((d) => !d)) return null;
    try {
      const pins = await Promise.all(definitions.map((d) => sources.head(d!)));
      if (pins.some((p) => !p.hash || p.stale)) return null;
      return plan.map((key, i) => `${key}@${pins[i].hash}`).join('\n');
    } catch {
      return null;
    }
  }

  /** The pins an answer was read at, as `pinsOf` writes them, when the answer may be kept; null when it may not. */
  private keepable(answer: HttpAnswer | null, sources: RequestSources): string | null {
    if (!answer || answer.status !== 200 || sources.readBeyondBlocks) return null;
    const read = [...sources.readSet()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (read.some(([, pin]) => !pin || !pin.hash || pin.stale)) return null;
    let body: { data?: unknown; errors?: unknown };
    try {
      body = JSON.parse(answer.body) as typeof body;
    } catch {
      return null;
    }
    if (body.errors !== undefined || !body.data || incomplete(body.data)) return null;
    return read.map(([key, pin]) => `${key}@${pin!.hash}`).join('\n');
  }
}

/** Thrown from a load whose answer is not to be kept: the cache stores nothing, the request still gets its answer. */
class NotKept extends Error {
  constructor() {
    super('the answer is not kept in the cache');
  }
}
