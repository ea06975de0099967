// Splits on '\n' only, so spaces, tabs and empty lines survive untouched.
const fs = require('fs');
const lines = fs.readFileSync(0, 'utf8').split('\n');
const n = parseInt(lines[0], 10);
const flip = (s) => s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
let out = '';
for (let i = 1; i <= n; i++) out += flip(lines[i]) + '\n';
process.stdout.write(out);
