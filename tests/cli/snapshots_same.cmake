# snapshots_same.cmake - the stateful search prints the same bytes whether
# its branches start from saved states (sim/explore/state_snap.h) or are
# replayed from the root (TABSIM_NO_ARENA=1).
#
# cmake -DTABSIM=path -DSCENARIOS=a.ini|b.ini -P snapshots_same.cmake
#
# Saved states are a way of reaching a state, not a search of their own:
# the verdict, the states, executions and revisits, the counterexamples
# and their tokens must not change.  Where arenas cannot be made (the
# sanitizer builds) both runs replay, and the test still holds.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" files "${SCENARIOS}")
foreach(file IN LISTS files)
  set(args check "${file}" --mode exhaustive --stateful --no-timing)
  execute_process(COMMAND "${TABSIM}" ${args} RESULT_VARIABLE rc_snap OUTPUT_VARIABLE snap ERROR_VARIABLE err_snap)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env TABSIM_NO_ARENA=1 "${TABSIM}" ${args}
                  RESULT_VARIABLE rc_replay OUTPUT_VARIABLE replay ERROR_VARIABLE err_replay)
  if(NOT snap MATCHES "\nverdict     (verified \\(stateful, [0-9]+ states|violation)")
    message(FATAL_ERROR "${file}: no verdict of the stateful search\n${snap}\n${err_snap}")
  endif()
  if(NOT rc_snap STREQUAL rc_replay OR NOT snap STREQUAL replay OR NOT err_snap STREQUAL err_replay)
    message(FATAL_ERROR "${file}: saved states (exit ${rc_snap}) and replay (exit ${rc_replay}) differ\n"
                        "--- saved states\n${snap}${err_snap}\n--- replay\n${replay}${err_replay}")
  endif()
endforeach()
