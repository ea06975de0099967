// Prints with toExponential: every answer comes out as d.dddddddddde±x.
const fs = require('fs');
const t = fs.readFileSync(0, 'utf8').split(/\s+/).filter((s) => s.length > 0).map(Number);
const n = t[0];
let total = 0;
for (let i = 1; i < n; i++) {
  const dx = t[1 + 2 * i] - t[2 * i - 1];
  const dy = t[2 + 2 * i] - t[2 * i];
  total += Math.hypot(dx, dy);
}
console.log(total.toExponential(12));
