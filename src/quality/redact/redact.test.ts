import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIbanChecksumValid, isLuhnValid } from './checksums.js';
import { findPii, redact } from './index.js';

const cases: Array<[string, string]> = [
  ['mail ana.ruiz+x@mail.example.co.uk now.', 'mail [EMAIL] now.'],
  ['call +1-984-182-0190 or (37) 788-063', 'call [PHONE] or [PHONE]'],
  ['07700 063 966, 03.93.92.16.85, 345-899-3560x4587', '[PHONE], [PHONE], [PHONE]'],
  ['Phone: 451 5986', 'Phone: [PHONE]'],
  ['Suite 3747 3911', 'Suite 3747 3911'],
  ['on 16.11.2023 and 2000-04-16 11:02', 'on 16.11.2023 and 2000-04-16 11:02'],
  ['card 4111 1111 1111 1111 and 4111111111111112', 'card [CARD] and 4111111111111112'],
  ['ssn 460-89-9847, not 000-12-3456', 'ssn [SSN], not [PHONE]'],
  [
    'nino AB123456C, dni 12345678Z, nie X1234567L',
    'nino [NATIONAL_ID], dni [NATIONAL_ID], nie [NATIONAL_ID]',
  ],
  ['nir 1 85 05 78 006 084 91', 'nir [NATIONAL_ID]'],
  ['iban GB82 WEST 1234 5698 7654 32 is mine', 'iban [IBAN] is mine'],
  ['iban GB82WEST12345698765433 bad check', 'iban GB82WEST12345698765433 bad check'],
  ['ip 10.0.0.1:8080, 2001:db8::1 and ::ffff:10.0.0.1.', 'ip [IP]:8080, [IP] and [IP].'],
  ['not ip 999.1.1.1 or 1.2.3', 'not ip 999.1.1.1 or 1.2.3'],
  ['sk-proj-abcdefghijklmnopqrstuvwxyz012345 and AKIAIOSFODNN7EXAMPLE', '[API_KEY] and [API_KEY]'],
  [`ghp_${'a1'.repeat(18)} xoxb-1234567890-abcdef`, '[API_KEY] [API_KEY]'],
  ['api_key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"', 'api_key = "[API_KEY]"'],
  ['the token is short1234', 'the token is short1234'],
  ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w', '[API_KEY]'],
];

test('redact replaces each PII kind with its placeholder', () => {
  for (const [input, expected] of cases) assert.equal(redact(input).text, expected, input);
});

test('redact counts per type and honours the enabled types', () => {
  const text = 'a@b.io, c@d.io, 10.0.0.1';
  assert.deepEqual(redact(text).counts, {
    API_KEY: 0,
    EMAIL: 2,
    IBAN: 0,
    CARD: 0,
    SSN: 0,
    NATIONAL_ID: 0,
    IP: 1,
    PHONE: 0,
  });
  assert.deepEqual(redact(text, { types: ['IP'] }), {
    text: 'a@b.io, c@d.io, [IP]',
    counts: { IP: 1 },
  });
});

test('redact rejects an unknown type with a stable code', () => {
  assert.throws(() => redact('x', { types: ['NAME' as never] }), {
    code: 'quality_redaction_type',
  });
});

test('overlapping detections keep the higher-priority type', () => {
  assert.deepEqual(findPii('key sk-live1234567890123456789012'), [
    { type: 'API_KEY', start: 4, end: 33 },
  ]);
});

test('checksums', () => {
  assert.equal(isLuhnValid('4111111111111111'), true);
  assert.equal(isLuhnValid('4111111111111112'), false);
  assert.equal(isIbanChecksumValid('GB82WEST12345698765432'), true);
  assert.equal(isIbanChecksumValid('gb82west12345698765432'), true);
  assert.equal(isIbanChecksumValid('GB82WEST12345698765433'), false);
});

// Hostile 1 MB inputs: each must finish (the test has a timeout) with the exact count.
const MB = 1 << 20;
const hostile: Array<[string, string, number]> = [
  ['letters', 'a'.repeat(MB), 0],
  ['digits', '1'.repeat(MB), 0],
  ['digit space', '1 '.repeat(MB / 2), 0],
  ['digit dash', '1-'.repeat(MB / 2), 0],
  ['dots', '1.'.repeat(MB / 2), 0],
  ['colons', ':'.repeat(MB), 0],
  ['hex colons', 'a:'.repeat(MB / 2), 0],
  ['at signs', 'a@'.repeat(MB / 2), 0],
  ['label dots', `x@${'a.'.repeat(MB / 2)}`, 0],
  ['key words', 'token='.repeat(MB / 6), 0],
  ['jwt starts', 'eyJ.'.repeat(MB / 4), 0],
  ['iban starts', 'GB12 '.repeat(MB / 5), 0],
  ['many emails', 'a@b.io '.repeat(MB / 7), Math.floor(MB / 7)],
];

test('hostile 1 MB inputs finish with exact counts', { timeout: 60_000 }, () => {
  for (const [name, input, expected] of hostile) {
    const counts = redact(input).counts;
    const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    assert.equal(total, expected, name);
  }
});
