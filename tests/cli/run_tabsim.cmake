# run_tabsim.cmake - run tabsim once and check its exit code and output.
#
# cmake -DTABSIM=path -DARGS=a|b|c -DRC=n
#       [-DOUT_1=regex ... -DOUT_5=regex]      stdout must match each
#       [-DERR_1=regex ... -DERR_5=regex]      stderr must match each
#       [-DNOT_OUT=regex] [-DNOT_ERR=regex]    must not match
#       [-DWORKDIR=dir] -P run_tabsim.cmake
#
# ARGS separates arguments with "|" (ctest would split a ";" list).  The
# exit code and every pattern are checked, and on a mismatch the whole
# output is shown, so a failure explains itself.
cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED TABSIM OR NOT DEFINED RC)
  message(FATAL_ERROR "run_tabsim.cmake needs -DTABSIM and -DRC")
endif()
set(args "")
if(DEFINED ARGS AND NOT ARGS STREQUAL "")
  string(REPLACE "|" ";" args "${ARGS}")
endif()
if(NOT DEFINED WORKDIR)
  set(WORKDIR ".")
endif()

execute_process(COMMAND "${TABSIM}" ${args}
                WORKING_DIRECTORY "${WORKDIR}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)

set(problems "")
if(NOT rc STREQUAL RC)
  string(APPEND problems "exit code ${rc}, expected ${RC}\n")
endif()
foreach(i 1 2 3 4 5)
  if(DEFINED OUT_${i} AND NOT out MATCHES "${OUT_${i}}")
    string(APPEND problems "stdout does not match: ${OUT_${i}}\n")
  endif()
  if(DEFINED ERR_${i} AND NOT err MATCHES "${ERR_${i}}")
    string(APPEND problems "stderr does not match: ${ERR_${i}}\n")
  endif()
endforeach()
if(DEFINED NOT_OUT AND out MATCHES "${NOT_OUT}")
  string(APPEND problems "stdout matches what it must not: ${NOT_OUT}\n")
endif()
if(DEFINED NOT_ERR AND err MATCHES "${NOT_ERR}")
  string(APPEND problems "stderr matches what it must not: ${NOT_ERR}\n")
endif()

if(NOT problems STREQUAL "")
  message(FATAL_ERROR "tabsim ${args}\n${problems}--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
