# Included by ctest after the discovered merge tests, once they are (TEST_INCLUDE_FILES,
# tests/write/merge/CMakeLists.txt): the two kill sweeps, a merge killed at 60 to 120 points then checked and rerun,
# about two minutes each on a busy 2-core machine, get label "slow" too (scripts/test.sh --quick
# leaves them out) and a COST so that ctest -j starts them first.
foreach(sweep MergeKill.KilledAfterEveryIoEventInEveryStepThenRerunGivesTheSameContent
              MergeVhdKill.KilledAtEveryIoThenRerunGivesTheSameContent)
  set_tests_properties(${sweep} PROPERTIES LABELS "write;slow" COST 120)
endforeach()
