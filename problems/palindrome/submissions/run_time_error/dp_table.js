// Crashes on long strings: the O(n^2) table needs n*n entries, and new Uint8Array(10^10)
// throws RangeError (Invalid typed array length).
const fs = require('fs');
const s = fs.readFileSync(0, 'utf8').trim();
const n = s.length;
const pal = new Uint8Array(n * n);
let best = 1;
for (let len = 1; len <= n; len++) {
  for (let i = 0; i + len <= n; i++) {
    const j = i + len - 1;
    if (s[i] === s[j] && (len <= 2 || pal[(i + 1) * n + (j - 1)])) {
      pal[i * n + j] = 1;
      best = len;
    }
  }
}
console.log(String(best));
