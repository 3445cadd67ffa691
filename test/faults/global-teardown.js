/** Prints the figures every file of the fault suite wrote (fault runs, crash points, configs...). */
const fs = require('fs');
const path = require('path');

module.exports = async () => {
  const dir = path.resolve(__dirname, '..', '..', 'lib', 'faults-figures');
  if (!fs.existsSync(dir)) return;
  const lines = ['', 'Fault suite figures:'];
  for (const file of fs.readdirSync(dir).sort()) {
    const figures = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    lines.push(`  ${path.basename(file, '.json')}:`);
    for (const [name, value] of Object.entries(figures).sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${name}: ${JSON.stringify(value)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
};
