# starvation_replay.cmake - the lasso the starvation check prints replays.
#
# cmake -DTABSIM=path -DSCENARIO=file -P starvation_replay.cmake
#
# `tabsim check` on a scenario expecting starvation prints a lasso (its
# prefix, the cycle marked, the cycle again) and a replay command.  That
# command, run by a shell, must exit 0 and print exactly the lasso's
# timeline lines (without the check's ~~~ marks), twice the same bytes.
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND "${TABSIM}" check "${SCENARIO}" --no-timing
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim check ${SCENARIO} exited ${rc}, expected 0\n${out}\n${err}")
endif()
if(NOT out MATCHES "\nreplay +tabsim (replay [^\n]* --token (ts2-[A-Za-z0-9_-]+) --trace)\n")
  message(FATAL_ERROR "tabsim check printed no `tabsim replay ... --token T --trace` line:\n${out}")
endif()
set(command "\"${TABSIM}\" ${CMAKE_MATCH_1}")
foreach(i 1 2)
  execute_process(COMMAND sh -c "${command}" RESULT_VARIABLE rc_${i} OUTPUT_VARIABLE out_${i} ERROR_VARIABLE err_${i})
endforeach()
if(NOT rc_1 STREQUAL "0" OR NOT out_1 STREQUAL out_2)
  message(FATAL_ERROR "replay exited ${rc_1} or printed different bytes twice\n${command}\n${out_1}\n${err_1}")
endif()
# The timeline lines: those that start with the time column.
string(REGEX MATCHALL "\n +[0-9]+\\.[0-9]+  tab[^\n]*" check_lines "${out}")
string(REGEX MATCHALL "\n +[0-9]+\\.[0-9]+  tab[^\n]*" replay_lines "${out_1}")
list(LENGTH check_lines n)
if(n LESS 10)
  message(FATAL_ERROR "the check printed a lasso of ${n} lines:\n${out}")
endif()
if(NOT check_lines STREQUAL replay_lines)
  message(FATAL_ERROR "the replay's timeline is not the lasso's:\n--- check\n${out}\n--- replay\n${out_1}")
endif()
if(NOT out_1 MATCHES "\nverdict +not judged: the tabs take the lock for ever")
  message(FATAL_ERROR "the replay's verdict is not the one of a workload for ever:\n${out_1}")
endif()
