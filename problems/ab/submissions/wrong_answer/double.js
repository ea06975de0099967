// Wrong: Number is a double, so sums beyond 2^53 lose their last digits.
const fs = require('fs');
const [a, b] = fs.readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
console.log(String(a + b));
