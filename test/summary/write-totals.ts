// `npm run reliability`: rewrite RELIABILITY.md's totals and case rows from the last recorded run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT, ROOT } from '../faults/support';
import { END, START, totalsTable, withCaseRows } from './totals';

const file = path.join(ROOT, 'RELIABILITY.md');
const records = JSON.parse(fs.readFileSync(REPORT, 'utf8'));
const doc = withCaseRows(fs.readFileSync(file, 'utf8'), records);
const table = totalsTable(records);
fs.writeFileSync(file, doc.slice(0, doc.indexOf(START)) + table + doc.slice(doc.indexOf(END) + END.length));
process.stdout.write(`${table}\n`);
