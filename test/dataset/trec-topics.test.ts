import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readQueriesFile } from '../../src/dataset/import/records.js';
import { tempDir } from '../helpers/tmp.js';

/** TREC topics in their SGML-ish form, as `dataset import --queries` reads them. */

const TOPICS = `<top>
<num> Number: 301
<title> International Organized Crime

<desc> Description:
Identify organizations that participate in international criminal activity.

<narr> Narrative:
A relevant document must as a minimum identify the organization.
</top>

<top>
<num> Number: 302 <title>
<desc> Description: Is the disease of Poliomyelitis (polio) under control in the world?
</top>
`;

function file(text: string): string {
  const path = join(tempDir(), 'topics.txt');
  writeFileSync(path, text);
  return path;
}

describe('TREC topics', () => {
  it('reads each topic’s number and title (its description where the title is empty)', () => {
    expect([...readQueriesFile(file(TOPICS)).values()]).toEqual([
      { id: '301', text: 'International Organized Crime' },
      { id: '302', text: 'Is the disease of Poliomyelitis (polio) under control in the world?' },
    ]);
  });

  it('refuses a topic without a number, or one given twice, by line', () => {
    expect(() => readQueriesFile(file('<top>\n<title> x\n</top>\n'))).toThrow(/topics\.txt:1: field 'num'/);
    expect(() => readQueriesFile(file(`${TOPICS}${TOPICS}`))).toThrow(/topic 301 appears twice/);
  });
});
