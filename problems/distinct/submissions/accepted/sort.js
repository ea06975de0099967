// Reads all of stdin at once, parses into a Float64Array (values < 2^53 are exact), sorts it
// numerically and counts value changes. The input format is strict (one line of values
// separated by single spaces), so a plain split(' ') is enough and much faster than a regex.
const fs = require('fs');
const lines = fs.readFileSync(0, 'latin1').split('\n');
const n = Number(lines[0]);
const tokens = lines[1].split(' ');
const v = new Float64Array(n);
for (let i = 0; i < n; i++) v[i] = Number(tokens[i]);
v.sort();
let distinct = n > 0 ? 1 : 0;
for (let i = 1; i < n; i++) if (v[i] !== v[i - 1]) distinct++;
console.log(String(distinct));
