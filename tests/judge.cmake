# Judge: package reader, default validator, language table (unit); check and verify (integration).
gavel_c_test(test_judge_defval SOURCES unit/test_judge_defval.c LIBS gavel_problem LABELS unit)
gavel_c_test(test_judge_problem SOURCES unit/test_judge_problem.c LIBS gavel_problem LABELS unit)
gavel_c_test(test_judge_lang SOURCES unit/test_judge_lang.c LIBS gavel_problem LABELS unit)
gavel_script_test(test_judge_check COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_judge_check.sh
  LABELS integration TIMEOUT 600)
gavel_script_test(test_judge_verify_problems
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_judge_verify.sh
  LABELS integration TIMEOUT 1500)
gavel_c_test(test_judge_engine SOURCES integration/test_judge_engine.c LIBS gavel_judge
  LABELS integration TIMEOUT 300)
