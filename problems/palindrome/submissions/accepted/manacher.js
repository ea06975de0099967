// Manacher's algorithm: O(n).
const fs = require('fs');
const s = fs.readFileSync(0, 'utf8').trim();
const t = '^#' + s.split('').join('#') + '#$';
const p = new Int32Array(t.length);
let center = 0;
let right = 0;
let best = 0;
for (let i = 1; i < t.length - 1; i++) {
  if (i < right) p[i] = Math.min(right - i, p[2 * center - i]);
  while (t[i + p[i] + 1] === t[i - p[i] - 1]) p[i]++;
  if (i + p[i] > right) {
    center = i;
    right = i + p[i];
  }
  if (p[i] > best) best = p[i];
}
console.log(String(best));
