# queue/ and `gavel-judge serve`: the Redis job queue (see docs/queue.md).
gavel_c_test(test_queue_json SOURCES unit/test_queue_json.c LIBS gavel_queue LABELS unit)
gavel_c_test(test_queue_sync SOURCES integration/test_queue_sync.c LIBS gavel_queue
  LABELS integration TIMEOUT 60)
gavel_c_test(test_queue_outbox SOURCES integration/test_queue_outbox.c LIBS gavel_queue
  LABELS integration TIMEOUT 60)
gavel_c_test(test_queue_async SOURCES integration/test_queue_async.c LIBS gavel_queue
  LABELS integration TIMEOUT 60)
gavel_c_test(test_serve_queue SOURCES integration/test_serve_queue.c LIBS gavel_queue
  LABELS integration TIMEOUT 600)
add_dependencies(test_serve_queue gavel-judge)
