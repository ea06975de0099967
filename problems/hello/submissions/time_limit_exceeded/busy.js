// Too slow, forever: a busy loop before printing (with a side effect, so nothing is optimised away).
let n = 0;
for (;;) n = (n + 1) | 0;
