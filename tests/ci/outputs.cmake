# outputs.cmake - output files must differ from each other and from the
# inputs, and are refused before any work.
#
# cmake -DTABSIM=path -DFIX=fixtures-dir -DWORK=dir -P outputs.cmake
#
# In a scratch copy of a scenario and a report (so a regression cannot
# overwrite the fixtures): --json X --junit X, --json naming the scenario,
# --junit naming it through another spelling (./), merge --json naming its
# own input, run --stats naming the scenario and sweep --out naming it must
# each exit 2 with the message, print no verdict, and leave the inputs as
# they were; so must an empty output name.  A report through a symbolic
# link lands in its file (the link stays), one into a device node is
# written in place (the node stays), one through a link to stdout follows
# the output.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(COPY "${FIX}/suite/a-lock.ini" "${FIX}/reports/shard0of2-runs40.json" DESTINATION "${WORK}")
file(SHA256 "${WORK}/a-lock.ini" ini_before)
file(SHA256 "${WORK}/shard0of2-runs40.json" json_before)
set(problems "")

# expect(ERR_REGEX command args...)
function(expect err)
  execute_process(COMMAND "${TABSIM}" ${ARGN} WORKING_DIRECTORY "${WORK}" TIMEOUT 60
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE stderr)
  if(NOT rc STREQUAL "2" OR NOT stderr MATCHES "${err}" OR out MATCHES "verdict")
    string(APPEND problems "tabsim ${ARGN}: exit ${rc}, expected 2, stderr matching ${err} and no verdict\n"
                           "--- stdout:\n${out}\n--- stderr:\n${stderr}\n")
    set(problems "${problems}" PARENT_SCOPE)
  endif()
endfunction()

set(same_output "the same file as --json report\\.json; allowed: a different file for each output")
set(same_input "the same file as the input a-lock\\.ini, which it would overwrite; allowed: a file that is not")
expect("--junit report\\.json: ${same_output}" check a-lock.ini --json report.json --junit report.json)
expect("--junit \\./report\\.json: ${same_output}" check a-lock.ini --json report.json --junit ./report.json)
expect("--json a-lock\\.ini: ${same_input}" check a-lock.ini --json a-lock.ini)
expect("--junit \\./a-lock\\.ini: the same file as the input" check . --junit ./a-lock.ini)
expect("--json shard0of2-runs40\\.json: the same file as the input shard0of2-runs40\\.json"
       merge shard0of2-runs40.json --json shard0of2-runs40.json)
expect("--stats a-lock\\.ini: ${same_input}" run a-lock.ini --stats a-lock.ini)
expect("--out a-lock\\.ini: ${same_input}" sweep a-lock.ini --vary scenario.tabs=1 --out a-lock.ini)

file(SHA256 "${WORK}/a-lock.ini" ini_after)
file(SHA256 "${WORK}/shard0of2-runs40.json" json_after)
if(NOT ini_after STREQUAL ini_before OR NOT json_after STREQUAL json_before)
  string(APPEND problems "an input file was overwritten\n")
endif()
if(EXISTS "${WORK}/report.json")
  string(APPEND problems "report.json was written although the command was refused\n")
endif()

# --mermaid is always written: with no counterexample to draw, a diagram
# that says so (an old file was left in place, standing for this check).
file(WRITE "${WORK}/old.mmd" "OLD\n")
execute_process(COMMAND "${TABSIM}" check a-lock.ini --runs 5 --mermaid old.mmd WORKING_DIRECTORY "${WORK}"
                TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE stderr)
file(READ "${WORK}/old.mmd" mmd)
if(NOT rc STREQUAL "0" OR NOT mmd STREQUAL "sequenceDiagram\n    Note over tabsim: no counterexample: the scenario checked had none\n")
  string(APPEND problems "check a-lock.ini --mermaid old.mmd: exit ${rc}, the file reads:\n${mmd}\n${stderr}\n")
endif()

# An empty name (an unset variable in a CI script) is refused before the work.
expect("--json '': an empty name; allowed: a file name" check a-lock.ini --json=)
expect("--stats '': an empty name" run a-lock.ini --stats=)
expect("--out '': an empty name" sweep a-lock.ini --vary scenario.tabs=1 --out=)

# A report through a symbolic link lands in the file it names; the link
# stays (a rename replaced it by a file of its own).  A device node is
# written in place, never replaced (as root, --junit /dev/null turned the
# machine's /dev/null into a regular file): made here with mknod, which
# needs root, so that a regression harms only this scratch node.
file(WRITE "${WORK}/target.json" "OLD\n")
file(CREATE_LINK target.json "${WORK}/link.json" SYMBOLIC)
execute_process(COMMAND mknod -m 666 "${WORK}/null" c 1 3 RESULT_VARIABLE no_node OUTPUT_QUIET ERROR_QUIET)
set(device_args "")
if(no_node EQUAL 0)
  set(device_args --junit null)
else()
  message(STATUS "mknod refused (not root): the device node case is skipped")
endif()
execute_process(COMMAND "${TABSIM}" check a-lock.ini --runs 5 --json link.json ${device_args} WORKING_DIRECTORY "${WORK}"
                TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE stderr)
file(READ "${WORK}/target.json" target)
if(NOT rc STREQUAL "0" OR NOT IS_SYMLINK "${WORK}/link.json" OR NOT target MATCHES "\"tool\" : \"tabsim\"")
  string(APPEND problems "check --json link.json: exit ${rc}; the link is no longer one, or its file holds no report\n${stderr}\n")
endif()
# A link to this process's stdout (as /dev/stdout is; a scratch one, so
# that a regression replaces only it), stdout a file: the report follows
# the output (the file was replaced by one holding the report alone).
file(CREATE_LINK /proc/self/fd/1 "${WORK}/stdout-link" SYMBOLIC)
execute_process(COMMAND "${TABSIM}" check a-lock.ini --runs 5 --no-timing --json stdout-link WORKING_DIRECTORY "${WORK}"
                TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_FILE "${WORK}/stdout.txt" ERROR_VARIABLE stderr)
file(READ "${WORK}/stdout.txt" out)
if(NOT rc STREQUAL "0" OR NOT IS_SYMLINK "${WORK}/stdout-link" OR NOT out MATCHES "\ntotal       1 scenario.*\n\\{\n  \"tool\" : \"tabsim\"")
  string(APPEND problems "check --json stdout-link: exit ${rc}; not the output then the report, or the link replaced\n${out}${stderr}\n")
endif()
if(no_node EQUAL 0)
  execute_process(COMMAND stat -c %F "${WORK}/null" OUTPUT_VARIABLE kind OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT kind STREQUAL "character special file")
    string(APPEND problems "check --junit null: the device node is now a ${kind}\n")
  endif()
endif()

if(NOT problems STREQUAL "")
  message(FATAL_ERROR "${problems}")
endif()
message(STATUS "outputs that clash with each other or with an input are refused; --mermaid is always written; "
               "links and devices are written through")
