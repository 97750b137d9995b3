import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { gateJunit } from '../../src/report/gate-junit.js';
import { CRASH_REASON, HOSTILE, verdictFixture } from './verdict-fixture.js';

interface Result {
  '@message': string;
  '@type': string;
  '#text'?: string;
}
interface TestCase {
  '@name': string;
  '@classname': string;
  failure?: Result[];
  error?: Result[];
  'system-out'?: string[];
}
interface TestSuite {
  '@name': string;
  '@tests': string;
  '@failures': string;
  '@errors': string;
  testcase: TestCase[];
  'system-out'?: string[];
}
interface Junit {
  testsuites: { '@tests': string; '@failures': string; '@errors': string; testsuite: TestSuite[] };
}

const REPEATED = new Set([
  'testsuite',
  'testcase',
  'property',
  'failure',
  'error',
  'system-out',
  'system-err',
]);

/** The XML as the object junit.schema.json describes; text and attribute values kept exactly as parsed. */
function parse(xml: string): Junit {
  const wellFormed = XMLValidator.validate(xml);
  expect(wellFormed).toBe(true);
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    ignoreDeclaration: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    htmlEntities: true,
    isArray: (name) => REPEATED.has(name),
  }).parse(xml) as Junit;
}

const validate = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(new URL('./junit.schema.json', import.meta.url), 'utf8')) as object,
);

describe('gateJunit', () => {
  const xml = gateJunit(verdictFixture());
  const junit = parse(xml);
  const suite = (name: string) => junit.testsuites.testsuite.find((s) => s['@name'] === name);
  const testCase = (system: string, name: string) => suite(system)?.testcase.find((c) => c['@name'] === name);

  it('validates against the common JUnit schema shape', () => {
    expect(validate(junit), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is valid under the Jenkins xUnit schema (junit-10.xsd), checked by libxml2', async () => {
    const xsd = readFileSync(new URL('../fixtures/junit/junit-10.xsd', import.meta.url), 'utf8');
    const check = (file: string) =>
      validateXML({
        xml: { fileName: 'gate.junit.xml', contents: file },
        schema: { fileName: 'junit-10.xsd', contents: xsd },
      });
    const result = await check(xml);
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.valid).toBe(true);
    // The schema has teeth: `skipped` on <testsuites>, as the file once had, is refused.
    const skippedOnRoot = xml.replace(
      '<testsuites name="retrieval-gate"',
      '<testsuites name="retrieval-gate" skipped="0"',
    );
    expect(skippedOnRoot).not.toBe(xml);
    expect((await check(skippedOnRoot)).valid).toBe(false);
  });

  it('has a schema that refuses what CI panels would not read', () => {
    const noClassname = xml.replace(' classname="retrieval-gate.bm25"', '');
    expect(validate(parse(noClassname))).toBe(false);
    const noType = xml.replace(' type="system"', '');
    expect(validate(parse(noType))).toBe(false);
    const badCount = xml.replace('tests="6"', 'tests="six"');
    expect(validate(parse(badCount))).toBe(false);
  });

  it('counts tests, failures and errors as the verdict has them, in total and per system', () => {
    // 6 outcomes; one failed rule; one system that failed to run.
    const { testsuites } = junit;
    expect([testsuites['@tests'], testsuites['@failures'], testsuites['@errors']]).toEqual(['6', '1', '1']);
    expect(testsuites.testsuite.map((s) => [s['@name'], s['@tests'], s['@failures'], s['@errors']])).toEqual([
      [HOSTILE, '2', '1', '0'],
      ['bm25', '3', '0', '0'],
      ['broken', '1', '0', '1'],
    ]);
    const cases = testsuites.testsuite.flatMap((s) => s.testcase);
    expect(cases).toHaveLength(verdictFixture().outcomes.length);
    expect(cases.filter((c) => c.failure)).toHaveLength(1);
    expect(cases.filter((c) => c.error)).toHaveLength(1);
  });

  it('names test cases "<rule> (<metric>)" in class retrieval-gate.<system>', () => {
    expect(suite('bm25')?.testcase.map((c) => [c['@name'], c['@classname']])).toEqual([
      ['latency total (latency.total.p95)', 'retrieval-gate.bm25'],
      ['cost (cost.perQuery)', 'retrieval-gate.bm25'],
      ['maxDrop R@5 (R@5)', 'retrieval-gate.bm25'],
    ]);
  });

  it('gives a failed rule a failure with its reason, its kind and the figures', () => {
    const failed = testCase(HOSTILE, 'maxDrop nDCG@10 (nDCG@10)')?.failure?.[0];
    expect(failed?.['@type']).toBe('maxDrop');
    expect(failed?.['@message']).toBe(verdictFixture().outcomes[1]?.reason);
    expect(failed?.['#text']).toContain('difference [CI]: -0.0500 [-0.0800, -0.0200]');
    expect(failed?.['#text']).toContain('p (adjusted): 0.0080 (raw 0.0040)');
  });

  it('makes a system that failed to run an error, and a warning a passing case with system-out', () => {
    const crashed = testCase('broken', 'system ran (run)');
    expect(crashed?.failure).toBeUndefined();
    expect(crashed?.error?.[0]?.['@type']).toBe('system');
    const warned = testCase('bm25', 'latency total (latency.total.p95)');
    expect(warned?.failure).toBeUndefined();
    expect(warned?.error).toBeUndefined();
    expect(warned?.['system-out']?.[0]).toMatch(
      /^warning: 80\.0 ms → 123\.5 ms: more than the allowed increase of 40\.0 ms\n\n.*observed: 123\.5 ms/s,
    );
    expect(xml).toContain('JUnit has no "warning" state');
  });

  it('tells in the system output which drops the gate cannot detect', () => {
    expect(suite(HOSTILE)?.['system-out']?.[0]).toBe(
      'warning: maxDrop nDCG@10 allows a drop of 0.0200, but on 40 queries the gate only detects drops of 0.0443 or more',
    );
    expect(suite('bm25')?.['system-out']).toBeUndefined();
  });

  it('escapes so that hostile text parses back unchanged, less what XML 1.0 cannot hold', () => {
    expect(xml).not.toContain('<script>');
    expect(suite(HOSTILE)?.testcase[0]?.['@classname']).toBe(`retrieval-gate.${HOSTILE}`);
    const crash = testCase('broken', 'system ran (run)')?.error?.[0];
    // Quotes, ampersands, angle brackets and line breaks survive, in the attribute and in the text;
    // the BEL control character, which XML 1.0 forbids even as a reference, becomes U+FFFD.
    const readable = CRASH_REASON.replace('\u0007', '\uFFFD');
    expect(crash?.['@message']).toBe(readable);
    expect(crash?.['#text']?.startsWith(`${readable}\n\nsystem: broken\n`)).toBe(true);
    // A parser turns a raw line break or tab inside an attribute into a space: they must be references.
    const tags = xml.match(/<[^>]*>/g) ?? [];
    expect(tags.filter((tag) => /[\t\n\r]/.test(tag))).toEqual([]);
    expect(xml).toContain(
      'a,b:c&#13;&#10;Traceback &quot;q&quot; &apos;a&apos; &amp; &lt;b&gt;\uFFFD" type="system"',
    );
    const controls = [...xml].filter((c) => (c.codePointAt(0) ?? 0) < 0x20 && !'\t\n\r'.includes(c));
    expect(controls).toEqual([]);
  });

  it('is deterministic', () => {
    expect(gateJunit(verdictFixture())).toBe(xml);
  });
});
