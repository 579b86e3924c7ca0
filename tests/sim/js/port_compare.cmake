# port_compare.cmake - a C port against the JavaScript it ports: both
# scenarios' checks must find the same violation, and their shrunk
# counterexamples must make the same calls in the same order (tab,
# operation, key; values, times and task numbers may differ: ids are the
# library's own in JavaScript, its delays drawn differently).
#
# cmake -DTABSIM=path -DPORT=file.ini -DORIGINAL=file.ini -P port_compare.cmake
cmake_minimum_required(VERSION 3.25)

function(shape file out_calls out_verdict)
  execute_process(COMMAND "${TABSIM}" check "${file}" --first --no-timing
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "tabsim check ${file} --first exited ${rc}, expected 0\n${out}\n${err}")
  endif()
  if(NOT out MATCHES "\nverdict +(violation \\([a-z,-]+\\))")
    message(FATAL_ERROR "${file}: no violation found:\n${out}")
  endif()
  set(${out_verdict} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  string(REGEX MATCH "\ntimeline[^\n]*\n(.*)\n  >>> VIOLATION" tl "${out}")
  if(tl STREQUAL "")
    message(FATAL_ERROR "${file}: no counterexample timeline:\n${out}")
  endif()
  string(REPLACE "\n" ";" lines "${CMAKE_MATCH_1}")
  set(calls "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^ +[0-9.]+ +(tab[0-9]+) +#[0-9]+ +([a-z.-]+)( +([^ ;]+))?")
      list(APPEND calls "${CMAKE_MATCH_1} ${CMAKE_MATCH_2} ${CMAKE_MATCH_4}")
    endif()
  endforeach()
  list(LENGTH calls n)
  if(n LESS 5)
    message(FATAL_ERROR "${file}: suspiciously short counterexample (${n} calls):\n${out}")
  endif()
  set(${out_calls} "${calls}" PARENT_SCOPE)
endfunction()

shape("${PORT}" port_calls port_verdict)
shape("${ORIGINAL}" original_calls original_verdict)
if(NOT port_verdict STREQUAL original_verdict)
  message(FATAL_ERROR "verdicts differ: the port's ${port_verdict}, the original's ${original_verdict}")
endif()
if(NOT port_calls STREQUAL original_calls)
  string(REPLACE ";" "\n  " a "${port_calls}")
  string(REPLACE ";" "\n  " b "${original_calls}")
  message(FATAL_ERROR "the counterexamples differ:\n--- port (${PORT})\n  ${a}\n--- original (${ORIGINAL})\n  ${b}")
endif()
list(LENGTH port_calls n)
message(STATUS "${port_verdict}: the same ${n} calls in the port's and the original's counterexample")
