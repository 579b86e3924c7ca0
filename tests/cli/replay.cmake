# replay.cmake - a counterexample's printed replay command reproduces it.
#
# cmake -DTABSIM=path -DSCENARIO=file -P replay.cmake
#
# `tabsim check` on a scenario that expects a violation must print
# "replay      tabsim replay FILE --token T --trace".  That very line, run
# by a shell (so its quoting is tested too) with tabsim's path put in, must
# print the same bytes twice, and its verdict must name the invariant the
# check reported.
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND "${TABSIM}" check "${SCENARIO}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim check ${SCENARIO} exited ${rc}, expected 0\n${out}\n${err}")
endif()
if(NOT out MATCHES "\nviolation +([a-z-]+) (at|judged at the end)")
  message(FATAL_ERROR "tabsim check printed no violation line:\n${out}")
endif()
set(invariant "${CMAKE_MATCH_1}")
if(NOT out MATCHES "\nreplay +tabsim (replay [^\n]* --token (ts2-[A-Za-z0-9_-]+) --trace)\n")
  message(FATAL_ERROR "tabsim check printed no `tabsim replay ... --token T --trace` line:\n${out}")
endif()
set(command "\"${TABSIM}\" ${CMAKE_MATCH_1}")
set(token "${CMAKE_MATCH_2}")

foreach(i 1 2)
  execute_process(COMMAND sh -c "${command}"
                  RESULT_VARIABLE rc_${i} OUTPUT_VARIABLE out_${i} ERROR_VARIABLE err_${i})
endforeach()
if(NOT rc_1 STREQUAL "0")
  message(FATAL_ERROR "replay exited ${rc_1}, expected 0 (the violation is what the scenario expects)\n"
                      "command: ${command}\n${out_1}\n${err_1}")
endif()
if(NOT out_1 STREQUAL out_2 OR NOT rc_1 STREQUAL rc_2)
  message(FATAL_ERROR "two replays of ${token} differ:\n--- first\n${out_1}\n--- second\n${out_2}")
endif()
if(NOT out_1 MATCHES "\nverdict +violation \\(([a-z,-]+)\\)")
  message(FATAL_ERROR "the replay's verdict is not a violation:\n${out_1}")
endif()
set(verdict "${CMAKE_MATCH_1}")
string(REPLACE "," ";" verdict_list "${verdict}")
if(NOT invariant IN_LIST verdict_list)
  message(FATAL_ERROR "check found ${invariant}, the replay's verdict is (${verdict})\n${out_1}")
endif()
if(NOT out_1 MATCHES "timeline")
  message(FATAL_ERROR "the replay with --trace printed no timeline:\n${out_1}")
endif()
if(NOT out_1 MATCHES "token ${token}")
  message(FATAL_ERROR "the replay does not report the token it replayed (${token}):\n${out_1}")
endif()
