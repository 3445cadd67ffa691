/** Writes resources/schemas/focus_costs.json from the column table (src/focus/columns.ts). */
import fs from 'fs';
import path from 'path';
import {focusJsonSchema} from '../src/focus/columns';

const out = path.resolve(__dirname, '../../resources/schemas/focus_costs.json');
fs.writeFileSync(out, JSON.stringify(focusJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${out}\n`);
