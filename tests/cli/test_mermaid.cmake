# test_mermaid.cmake - `--mermaid` diagrams of a counterexample, and its token.
#
# cmake -DTABSIM=path -DSCENARIO=file -DINVARIANT=name -DOUTDIR=dir -P test_mermaid.cmake
#
# SCENARIO must expect a violation of INVARIANT that exhaustive search
# finds.  `tabsim check SCENARIO --mode exhaustive --mermaid A.mmd` must
# exit 0 and write a sequenceDiagram with the tabs, localStorage and a
# "VIOLATION of INVARIANT" note; the replay token it prints, given to
# `tabsim replay SCENARIO --token T --mermaid B.mmd`, must reproduce the
# violation (exit 0, since the scenario expects it) and write the same
# kind of diagram.  Both diagrams draw the same run, the check's (with
# --context 0) up to the violation only, so the check's text is where the
# replay's starts.  With --context 3 the check's diagram draws only the last
# 3 timeline steps, as the text timeline shows them, after a note that says
# how many earlier steps it leaves out (a 205-line diagram of a 40-line
# text timeline was the bug).
cmake_minimum_required(VERSION 3.25)

foreach(var TABSIM SCENARIO INVARIANT OUTDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "test_mermaid.cmake needs -D${var}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${OUTDIR}")
set(check_mmd "${OUTDIR}/check.mmd")
set(replay_mmd "${OUTDIR}/replay.mmd")
file(REMOVE "${check_mmd}" "${replay_mmd}")

# A diagram: a sequenceDiagram with a lifeline per tab, localStorage and
# a note at the violation.
function(check_diagram path what)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "${what} wrote no ${path}")
  endif()
  file(READ "${path}" text)
  set(problems "")
  if(NOT text MATCHES "^sequenceDiagram\n")
    string(APPEND problems "does not start with \"sequenceDiagram\"\n")
  endif()
  foreach(re "\n +participant T1( |\n)" "\n +participant T2( |\n)" "\n +participant LS( |\n)"
             "\n +Note over [^\n]*: VIOLATION of ${INVARIANT}: ")
    if(NOT text MATCHES "${re}")
      string(APPEND problems "has no line matching ${re}\n")
    endif()
  endforeach()
  if(NOT problems STREQUAL "")
    message(FATAL_ERROR "${what}: ${path}\n${problems}--- file:\n${text}")
  endif()
endfunction()

execute_process(COMMAND "${TABSIM}" check "${SCENARIO}" --mode exhaustive --context 0 --mermaid "${check_mmd}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim check ${SCENARIO} --mode exhaustive exited ${rc}, expected 0\n${out}\n${err}")
endif()
if(NOT out MATCHES "\nviolation +${INVARIANT} at")
  message(FATAL_ERROR "tabsim check found no violation of ${INVARIANT}:\n${out}")
endif()
check_diagram("${check_mmd}" "tabsim check --mermaid")

set(short_mmd "${OUTDIR}/check-context.mmd")
file(REMOVE "${short_mmd}")
execute_process(COMMAND "${TABSIM}" check "${SCENARIO}" --mode exhaustive --context 3 --mermaid "${short_mmd}"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim check ${SCENARIO} --context 3 exited ${rc}, expected 0\n${err}")
endif()
check_diagram("${short_mmd}" "tabsim check --context 3 --mermaid")
file(READ "${short_mmd}" short_text)
if(NOT short_text MATCHES "\n    Note over T1,LS: \\.\\.\\. [0-9]+ earlier steps not drawn \\(all of them: --context 0\\)\n")
  message(FATAL_ERROR "--context 3: no note of the steps left out:\n${short_text}")
endif()
# After the participants and that note: at most 3 steps drawn, then the
# violation's note.
string(REGEX MATCHALL "\n    (T[0-9]+->>|Server->>|Note over T[0-9,]+: [^.V])" drawn "${short_text}")
list(LENGTH drawn ndrawn)
if(ndrawn GREATER 3 OR ndrawn EQUAL 0)
  message(FATAL_ERROR "--context 3 drew ${ndrawn} steps, expected 1 to 3:\n${short_text}")
endif()
if(NOT out MATCHES "\nreplay +tabsim replay [^\n]* --token (ts2-[A-Za-z0-9_-]+)")
  message(FATAL_ERROR "tabsim check printed no replay token:\n${out}")
endif()
set(token "${CMAKE_MATCH_1}")

execute_process(COMMAND "${TABSIM}" replay "${SCENARIO}" --token "${token}" --mermaid "${replay_mmd}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim replay --token ${token} exited ${rc}, expected 0 (the violation the scenario "
                      "expects)\n${out}\n${err}")
endif()
if(NOT out MATCHES "\nverdict +violation \\(([a-z,-]+)\\)")
  message(FATAL_ERROR "the replay of ${token} is not a violation:\n${out}")
endif()
string(REPLACE "," ";" verdict "${CMAKE_MATCH_1}")
if(NOT INVARIANT IN_LIST verdict)
  message(FATAL_ERROR "the replay of ${token} violates (${CMAKE_MATCH_1}), not ${INVARIANT}:\n${out}")
endif()
check_diagram("${replay_mmd}" "tabsim replay --mermaid")

file(READ "${check_mmd}" check_text)
file(READ "${replay_mmd}" replay_text)
string(LENGTH "${check_text}" n)
string(SUBSTRING "${replay_text}" 0 ${n} replay_head)
if(NOT replay_head STREQUAL check_text)
  message(FATAL_ERROR "the check's diagram is not the start of the replay's: not the same run\n"
                      "--- check:\n${check_text}\n--- replay:\n${replay_text}")
endif()
