// Minimum prefix sum: best = max over r of prefix[r] - min(prefix[0..r-1]).
// Sums stay below 2^53, so Number is exact here.
const fs = require('fs');
const t = fs.readFileSync(0, 'utf8').split(/\s+/).filter((s) => s.length > 0).map(Number);
const n = t[0];
let prefix = 0;
let minPrefix = 0;
let best = -Infinity;
for (let i = 1; i <= n; i++) {
  prefix += t[i];
  best = Math.max(best, prefix - minPrefix);
  minPrefix = Math.min(minPrefix, prefix);
}
console.log(String(best));
