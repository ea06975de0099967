# Judge: package reader, default validator, language table (unit); check and verify (integration).
gavel_c_test(test_judge_defval SOURCES unit/test_judge_defval.c LIBS gavel_problem LABELS unit)
gavel_c_test(test_judge_problem SOURCES unit/test_judge_problem.c LIBS gavel_problem LABELS unit)
gavel_c_test(test_judge_lang SOURCES unit/test_judge_lang.c LIBS gavel_problem LABELS unit)
