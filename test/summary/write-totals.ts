// `npm run reliability`: rewrite RELIABILITY.md's totals from the last recorded run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT, ROOT } from '../faults/support';
import { END, START, totalsTable } from './totals';

const file = path.join(ROOT, 'RELIABILITY.md');
const doc = fs.readFileSync(file, 'utf8');
const table = totalsTable(JSON.parse(fs.readFileSync(REPORT, 'utf8')));
fs.writeFileSync(file, doc.slice(0, doc.indexOf(START)) + table + doc.slice(doc.indexOf(END) + END.length));
process.stdout.write(`${table}\n`);
