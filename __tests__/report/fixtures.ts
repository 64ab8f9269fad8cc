import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Journals recorded from real failbacks on the drill world (testenv/drill/record-journals.ts). */
export const JOURNALS = join(__dirname, '..', 'fixtures', 'journals');
/** The guard ledgers of the four simulated guests of the `completed` run. */
export const LEDGERS = readdirSync(join(__dirname, '..', 'fixtures', 'ledgers')).map((f) => join(__dirname, '..', 'fixtures', 'ledgers', f));
