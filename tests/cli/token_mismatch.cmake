# token_mismatch.cmake - a token is refused on a scenario it was not made for.
#
# cmake -DTABSIM=path -DFROM=file -DTO=file -P token_mismatch.cmake
#
# Takes the token `tabsim run FROM` prints, checks it replays on FROM (so
# the refusal below is about the scenario, not a broken token), then
# replays it on TO: exit code 2 and a message saying it was made for
# another scenario.
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND "${TABSIM}" run "${FROM}" --seed 3
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT out MATCHES "\nrun +seed 3, token (ts2-[A-Za-z0-9_-]+)")
  message(FATAL_ERROR "tabsim run printed no token (exit ${rc}):\n${out}\n${err}")
endif()
set(token "${CMAKE_MATCH_1}")

execute_process(COMMAND "${TABSIM}" replay "${FROM}" --token "${token}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc STREQUAL "2")
  message(FATAL_ERROR "the token is refused even on its own scenario:\n${err}")
endif()

execute_process(COMMAND "${TABSIM}" replay "${TO}" --token "${token}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "2")
  message(FATAL_ERROR "replay on another scenario exited ${rc}, expected 2\n${out}\n${err}")
endif()
if(NOT err MATCHES "another scenario")
  message(FATAL_ERROR "the refusal does not say the token is for another scenario:\n${err}")
endif()
