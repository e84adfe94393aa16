/**
 * Silences: matchers plus a time range that mute matching alerts in notifications (they still
 * show as firing in llmwatch). Kept in SQLite and cached in memory; an expired silence stays
 * listed for `SILENCE_RETENTION_MS` and is then deleted.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { LlmwatchError } from '../../core/errors.js';
import type { Labels } from '../../store/types.js';
import { compileMatcherRegex, matchesAll, type Matcher } from './matchers.js';

/** Expired silences are kept this long for the record (5 days, like Alertmanager). */
export const SILENCE_RETENTION_MS = 5 * 24 * 3600 * 1000;

/** One silence. Times are Unix ms. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
  /** pending before startsAt, active until endsAt, expired after. */
  state: 'pending' | 'active' | 'expired';
}

const timeInput = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .refine(
      (s) => !Number.isNaN(Date.parse(s)),
      'must be an RFC 3339 time like "2024-05-01T12:00:00Z"',
    ),
]);

const matcherInput = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name like "component"'),
  value: z.string(),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});

/** The body of POST /api/llmwatch/silences. Times: Unix ms or RFC 3339 strings. */
export const silenceInputSchema = z.strictObject({
  matchers: z.array(matcherInput).min(1, 'give at least one matcher'),
  /** Default: now. */
  startsAt: timeInput.optional(),
  endsAt: timeInput,
  createdBy: z.string().trim().min(1, 'say who creates the silence'),
  comment: z.string().trim().min(1, 'say why the alerts are silenced'),
});

/** A silence as posted by a user. */
export type SilenceInput = z.input<typeof silenceInputSchema>;

function toMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

function invalid(message: string): LlmwatchError {
  return new LlmwatchError('silence_invalid', `silence: ${message}`);
}

/** Validates a posted silence; throws `silence_invalid` naming every bad field. */
export function parseSilenceInput(body: unknown, nowMs: number) {
  const parsed = silenceInputSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw invalid(problems.join('; '));
  }
  const input = parsed.data;
  for (const m of input.matchers) {
    if (m.isRegex) {
      try {
        compileMatcherRegex(m.value);
      } catch (err) {
        throw invalid((err as Error).message);
      }
    }
  }
  if (input.matchers.every((m) => matchesAll([m], {}))) {
    throw invalid(
      'every matcher also matches an absent label, so it would mute all alerts; add a matcher like component="chat"',
    );
  }
  const startsAt = input.startsAt === undefined ? nowMs : toMs(input.startsAt);
  const endsAt = toMs(input.endsAt);
  if (endsAt <= startsAt) throw invalid(`endsAt (${endsAt}) must be after startsAt (${startsAt})`);
  if (endsAt <= nowMs) throw invalid(`endsAt (${endsAt}) is in the past; give a future time`);
  return { ...input, startsAt, endsAt };
}

interface Row {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  updated_at: number;
}

/** Silences, persisted. */
export interface SilenceStore {
  /** All silences not yet deleted, newest first, with their current state. */
  list(): Silence[];
  get(id: string): Silence | undefined;
  /** Validates and stores a new silence; throws `silence_invalid`. */
  create(body: unknown): Silence;
  /** Ends a silence now; undefined when the id is unknown. Expiring twice changes nothing. */
  expire(id: string): Silence | undefined;
  /** Ids of the active silences that match `labels`. */
  silencedBy(labels: Labels): string[];
}

/** Creates the silence store over the notification database. */
export function createSilenceStore(db: Database.Database, nowMs: () => number): SilenceStore {
  const cache = new Map<string, Omit<Silence, 'state'>>();
  for (const row of db.prepare('SELECT * FROM notify_silences').all() as Row[]) {
    cache.set(row.id, {
      id: row.id,
      matchers: JSON.parse(row.matchers) as Matcher[],
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      createdBy: row.created_by,
      comment: row.comment,
      updatedAt: row.updated_at,
    });
  }
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO notify_silences VALUES (@id, @matchers, @startsAt, @endsAt, @createdBy, @comment, @updatedAt)`,
  );
  const remove = db.prepare('DELETE FROM notify_silences WHERE id = ?');

  const withState = (s: Omit<Silence, 'state'>, now: number): Silence => ({
    ...s,
    state: now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired',
  });
  const save = (s: Omit<Silence, 'state'>): void => {
    upsert.run({ ...s, matchers: JSON.stringify(s.matchers) });
    cache.set(s.id, s);
  };
  const prune = (now: number): void => {
    for (const s of cache.values()) {
      if (s.endsAt + SILENCE_RETENTION_MS < now) {
        remove.run(s.id);
        cache.delete(s.id);
      }
    }
  };

  return {
    list() {
      const now = nowMs();
      prune(now);
      return [...cache.values()]
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1))
        .map((s) => withState(s, now));
    },
    get(id) {
      const s = cache.get(id);
      return s && withState(s, nowMs());
    },
    create(body) {
      const now = nowMs();
      const input = parseSilenceInput(body, now);
      const silence = { id: randomUUID(), ...input, updatedAt: now };
      save(silence);
      return withState(silence, now);
    },
    expire(id) {
      const s = cache.get(id);
      if (!s) return undefined;
      const now = nowMs();
      if (s.endsAt > now)
        save({ ...s, startsAt: Math.min(s.startsAt, now), endsAt: now, updatedAt: now });
      return withState(cache.get(id) ?? s, now);
    },
    silencedBy(labels) {
      const now = nowMs();
      const ids: string[] = [];
      for (const s of cache.values()) {
        if (s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels)) ids.push(s.id);
      }
      return ids;
    },
  };
}
