# snapshots_same.cmake - the exhaustive searches print the same bytes
# whether their branches start from saved states (sim/explore/state_snap.h)
# or are replayed from the root (TABSIM_NO_ARENA=1).
#
# cmake -DTABSIM=path -DSCENARIOS=a.ini|b.ini [-DTIMED=c.ini] -P snapshots_same.cmake
#
# TIMED files are timed, which only the stateless search explores.
# Saved states are a way of reaching a state, not a search of their own:
# for the stateless search (source-DPOR) and the stateful one, the
# verdict, the executions, states and revisits, the counterexamples and
# their tokens must not change.  Where arenas cannot be made (the
# sanitizer builds) both runs replay, and the test still holds.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" files "${SCENARIOS}")
string(REPLACE "|" ";" timed "${TIMED}")
foreach(file IN LISTS files timed)
  set(searches stateless stateful)
  if(file IN_LIST timed)
    set(searches stateless)
  endif()
  foreach(search IN LISTS searches)
    set(args check "${file}" --mode exhaustive --no-timing)
    if(search STREQUAL "stateful")
      list(APPEND args --stateful)
    endif()
    execute_process(COMMAND "${TABSIM}" ${args} RESULT_VARIABLE rc_snap OUTPUT_VARIABLE snap ERROR_VARIABLE err_snap)
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env TABSIM_NO_ARENA=1 "${TABSIM}" ${args}
                    RESULT_VARIABLE rc_replay OUTPUT_VARIABLE replay ERROR_VARIABLE err_replay)
    if(NOT snap MATCHES "\nexplored    [0-9]+ runs" OR NOT snap MATCHES "\nverdict     (verified|violation)")
      message(FATAL_ERROR "${file} (${search}): no verdict of an exhaustive search\n${snap}\n${err_snap}")
    endif()
    if(search STREQUAL "stateful" AND snap MATCHES "\nverdict     verified" AND NOT snap MATCHES "\\(stateful, ")
      message(FATAL_ERROR "${file}: the stateful search did not run\n${snap}")
    endif()
    if(NOT rc_snap STREQUAL rc_replay OR NOT snap STREQUAL replay OR NOT err_snap STREQUAL err_replay)
      message(FATAL_ERROR "${file} (${search}): saved states (exit ${rc_snap}) and replay (exit ${rc_replay}) differ\n"
                          "--- saved states\n${snap}${err_snap}\n--- replay\n${replay}${err_replay}")
    endif()
  endforeach()
endforeach()
