# jobs.cmake - --jobs N prints and reports exactly what --jobs 1 does.
#
# cmake -DTABSIM=path -DWORK=dir -DARGS=a|b|c -P jobs.cmake
#
# Runs check ARGS with --jobs 1, 2 and 3 (--no-timing) and compares stdout,
# the JSON and the JUnit report byte for byte.  ARGS should include enough
# runs (>= 128) that a scenario's runs are split into chunks across threads.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK}")
string(REPLACE "|" ";" args "${ARGS}")
foreach(j 1 2 3)
  execute_process(COMMAND "${TABSIM}" check ${args} --no-timing --jobs ${j} --json "${WORK}/jobs${j}.json"
                          --junit "${WORK}/jobs${j}.xml"
                  RESULT_VARIABLE rc${j} OUTPUT_VARIABLE out${j} ERROR_VARIABLE err${j})
  file(WRITE "${WORK}/jobs${j}.txt" "${out${j}}")
  file(READ "${WORK}/jobs${j}.json" json${j})
  file(READ "${WORK}/jobs${j}.xml" xml${j})
  if(NOT rc${j} MATCHES "^[01]$")
    message(FATAL_ERROR "check --jobs ${j} exited ${rc${j}}\n${out${j}}\n${err${j}}")
  endif()
endforeach()
foreach(j 2 3)
  if(NOT rc${j} EQUAL rc1 OR NOT out${j} STREQUAL out1 OR NOT json${j} STREQUAL json1 OR NOT xml${j} STREQUAL xml1)
    message(FATAL_ERROR "--jobs ${j} differs from --jobs 1 (exit ${rc${j}} vs ${rc1}); compare ${WORK}/jobs1.* "
                        "and ${WORK}/jobs${j}.*")
  endif()
endforeach()
if(NOT out1 MATCHES "found       [a-z-]+ in run")
  message(FATAL_ERROR "the comparison should include a counterexample:\n${out1}")
endif()
