// Wrong: echoes the lines without flipping; only a case-sensitive comparison notices.
const fs = require('fs');
const lines = fs.readFileSync(0, 'utf8').split('\n');
const n = parseInt(lines[0], 10);
process.stdout.write(lines.slice(1, n + 1).map((l) => l + '\n').join(''));
