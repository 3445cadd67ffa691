/** Clears the figures of a previous run of the fault suite. */
const fs = require('fs');
const path = require('path');

module.exports = async () => {
  fs.rmSync(path.resolve(__dirname, '..', '..', 'lib', 'faults-figures'), {recursive: true, force: true});
};
