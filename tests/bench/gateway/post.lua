-- post.lua: wrk script for POST /api/submissions (tests/bench/gateway/run.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"problem":"ab","language":"c","source":"#include <stdio.h>\\nint main(void){long a,b;scanf(\\"%ld %ld\\",&a,&b);printf(\\"%ld\\\\n\\",a+b);return 0;}\\n"}'
