# problems/: the packages' own consistency (problem.yaml, statement, .in/.ans pairs, input
# validators, custom validators accept the answers, data/generate), fast and without the judge.
# Whether every reference submission gets its verdict is judge.cmake's test_judge_verify_problems.
gavel_script_test(test_problems_lint
  COMMAND ${PROJECT_SOURCE_DIR}/problems/.tools/selfcheck.py --lint
  LABELS integration TIMEOUT 300)
