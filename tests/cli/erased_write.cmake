# erased_write.cmake - a lost event's violation marks the write that erased
# it, in every report: the text timeline, the JSON report, the Mermaid
# diagram, and the timeline of `tabsim replay --trace`.
#
# cmake -DTABSIM=path -DSCENARIO=file -DOUTDIR=dir -P erased_write.cmake
#
# SCENARIO must expect a lost event that a write erased (no-mutex.ini: the
# lost update).  `tabsim check SCENARIO --json J --mermaid M` must exit 0 and
#  - print exactly one timeline line with "!!" in the margin: a set of the
#    events key that ends "!! erased ID", ID being the event the violation
#    names, and the violation must name the tab and time of that write;
#    the violation itself is dated "judged at the end of the run (T ms)",
#    T after the marked write, since the timeline stops at that write but
#    the event is judged lost only when the run has ended;
#  - write counterexample.erasing_write = {event: ID, step, timeline_index}
#    in J, timeline[timeline_index] being that marked line and step its
#    1-based line in the whole timeline;
#  - write, in M, the note "Note over T<tab>,LS: !! erased ID" right after
#    that write's arrow.
# The replay command it prints must mark the same line, and `tabsim merge`
# of the report must keep erasing_write.
cmake_minimum_required(VERSION 3.25)

foreach(var TABSIM SCENARIO OUTDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "erased_write.cmake needs -D${var}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${OUTDIR}")
set(json "${OUTDIR}/erased.json")
set(mmd "${OUTDIR}/erased.mmd")
file(REMOVE "${json}" "${mmd}")

execute_process(COMMAND "${TABSIM}" check "${SCENARIO}" --json "${json}" --mermaid "${mmd}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim check ${SCENARIO} exited ${rc}, expected 0\n${out}\n${err}")
endif()

# --- text -----------------------------------------------------------------------
if(NOT out MATCHES "\nviolation +lost-event judged at the end of the run \\([0-9.]+ ms\\)[^\n]*\n +event ([a-z0-9-]+) [^\n]*; tab([0-9]+)'s write at ([0-9.]+) ms erased it")
  message(FATAL_ERROR "the lost-event violation names no erasing write (tab and time):\n${out}")
endif()
set(id "${CMAKE_MATCH_1}")
set(tab "${CMAKE_MATCH_2}")
set(ms "${CMAKE_MATCH_3}")
if(NOT out MATCHES "\n  >>> VIOLATION of lost-event judged at the end of the run \\(([0-9.]+) ms\\)" OR CMAKE_MATCH_1 LESS ms)
  message(FATAL_ERROR "the marker does not say the lost event was judged at the end of the run, after the write:\n${out}")
endif()
# (Lines hold ";", a CMake list separator: count the marks, match the line.)
string(REGEX MATCHALL "\n!!" marks "${out}")
list(LENGTH marks n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one timeline line marked !!, found ${n}:\n${out}")
endif()
string(REGEX MATCH "\n!![^\n]*" marked "${out}")
string(SUBSTRING "${marked}" 1 -1 line)
string(REPLACE "." "\\." ms_re "${ms}")
if(NOT line MATCHES "^!! +${ms_re} +tab${tab} +#[0-9]+ +set +[^ ]*events[^ ]* = .* +!! erased ${id}$")
  message(FATAL_ERROR "the line marked !! is not tab${tab}'s write of the events at ${ms} ms ending "
                      "\"!! erased ${id}\":\n${line}\n--- output:\n${out}")
endif()

# --- JSON -----------------------------------------------------------------------
file(READ "${json}" doc)
string(JSON cx GET "${doc}" scenarios 0 counterexample)
string(JSON kind ERROR_VARIABLE jerr TYPE "${cx}" erasing_write)
if(NOT kind STREQUAL "OBJECT")
  message(FATAL_ERROR "counterexample.erasing_write is not an object (${kind} ${jerr}) in ${json}")
endif()
string(JSON event GET "${cx}" erasing_write event)
string(JSON step GET "${cx}" erasing_write step)
string(JSON index GET "${cx}" erasing_write timeline_index)
if(NOT event STREQUAL id)
  message(FATAL_ERROR "erasing_write.event is ${event}, the violation names ${id}")
endif()
string(JSON json_line GET "${cx}" timeline ${index})
if(NOT json_line STREQUAL line)
  message(FATAL_ERROR "timeline[${index}] is not the marked line:\n${json_line}\n${line}")
endif()
# Without --context the whole timeline is shown: its index is step - 1.
math(EXPR want "${step} - 1")
if(NOT index EQUAL want)
  message(FATAL_ERROR "erasing_write: step ${step} but timeline_index ${index}")
endif()

# --- Mermaid --------------------------------------------------------------------
file(READ "${mmd}" diagram)
if(NOT diagram MATCHES "\n +T${tab}->>LS: [^\n]*set [^\n]*events[^\n]*\n +Note over T${tab},LS: !! erased ${id}\n")
  message(FATAL_ERROR "the diagram has no note \"!! erased ${id}\" on tab${tab}'s write:\n${diagram}")
endif()

# --- replay ---------------------------------------------------------------------
if(NOT out MATCHES "\nreplay +tabsim replay [^\n]* --token (ts2-[A-Za-z0-9_-]+) --trace\n")
  message(FATAL_ERROR "tabsim check printed no replay command:\n${out}")
endif()
execute_process(COMMAND "${TABSIM}" replay "${SCENARIO}" --token "${CMAKE_MATCH_1}" --trace
                RESULT_VARIABLE rc OUTPUT_VARIABLE replay_out ERROR_VARIABLE err)
string(FIND "${replay_out}" "\n${line}\n" at)
if(NOT rc STREQUAL "0" OR at LESS 0)
  message(FATAL_ERROR "the replay (exit ${rc}) does not mark the same line:\n${line}\n--- replay:\n${replay_out}\n${err}")
endif()

# --- merge ----------------------------------------------------------------------
# `tabsim merge` reads the report back and writes the same erasing_write.
execute_process(COMMAND "${TABSIM}" merge "${json}" --json "${OUTDIR}/merged.json"
                RESULT_VARIABLE rc OUTPUT_VARIABLE merge_out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim merge ${json} exited ${rc}, expected 0\n${merge_out}\n${err}")
endif()
file(READ "${OUTDIR}/merged.json" merged)
string(JSON a GET "${doc}" scenarios 0 counterexample erasing_write)
string(JSON b ERROR_VARIABLE jerr GET "${merged}" scenarios 0 counterexample erasing_write)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "merge changed erasing_write:\n${a}\n---\n${b} ${jerr}")
endif()
