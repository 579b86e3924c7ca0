# control_text.cmake - text from input is printed with its control
# characters escaped, so it can neither forge an output line nor reach the
# terminal as a control sequence.
#
# cmake -DTABSIM=path -DFIX=fixtures-dir -DWORK=dir -P control_text.cmake
#
# fixtures/control-name.ini has a name with a newline (GKeyFile's \n), the
# words "verdict     passed", a raw ESC and a C1 CSI (U+009B).  run, check
# (with its JSON and JUnit reports), merge of that JSON report and the
# error quoting bad/control-value.ini's ESC must print the name escaped
# (\n, \x1b, \u009b), no line starting with the forged "verdict     passed",
# and no ESC or C1 byte at all.  The JUnit report holds no ESC either.
# fixtures/nonchar-name.ini's U+FFFE, U+FFFF and U+2028 are shown escaped,
# and the JUnit report holds U+FFFD for the two XML forbids.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
string(ASCII 27 esc)
string(ASCII 155 csi) # the byte 0x9B: C1 CSI raw, and the last byte of U+009B in UTF-8
set(problems "")

# expect(RC command args...): runs tabsim in FIX, checks RC and the output.
function(expect want_rc)
  execute_process(COMMAND "${TABSIM}" ${ARGN} WORKING_DIRECTORY "${FIX}" TIMEOUT 60
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(all "${out}${err}")
  set(why "")
  if(NOT rc STREQUAL want_rc)
    string(APPEND why "exit ${rc}, expected ${want_rc}\n")
  endif()
  if(all MATCHES "(^|\n)verdict     passed")
    string(APPEND why "a forged line starts with \"verdict     passed\"\n")
  endif()
  string(FIND "${all}" "${esc}" at_esc)
  string(FIND "${all}" "${csi}" at_csi)
  if(NOT at_esc EQUAL -1 OR NOT at_csi EQUAL -1)
    string(APPEND why "an ESC or C1 CSI reached the output\n")
  endif()
  if(NOT all MATCHES "(x\\\\nverdict     passed \\\\x1b\\[31mRED\\\\u009b|\"\\\\x1b\\[2J\")")
    string(APPEND why "the input text is not shown escaped\n")
  endif()
  if(NOT why STREQUAL "")
    string(APPEND problems "tabsim ${ARGN}:\n${why}--- stdout:\n${out}\n--- stderr:\n${err}\n")
    set(problems "${problems}" PARENT_SCOPE)
  endif()
endfunction()

expect(0 run control-name.ini --trace)
expect(0 check control-name.ini --no-timing --json "${WORK}/report.json" --junit "${WORK}/report.xml")
expect(0 merge "${WORK}/report.json" --no-timing)
expect(2 run bad/control-value.ini)
expect(2 check bad/control-value.ini --no-timing)

file(READ "${WORK}/report.xml" junit)
string(FIND "${junit}" "${esc}" at_esc)
if(NOT at_esc EQUAL -1)
  string(APPEND problems "the JUnit report holds an ESC\n")
endif()

# fixtures/nonchar-name.ini: a name with U+FFFE, U+FFFF and U+2028.  Shown
# escaped on stdout; the JUnit report holds neither noncharacter (XML 1.0
# forbids them: a parser rejects the file), U+FFFD in their place.
execute_process(COMMAND "${TABSIM}" check nonchar-name.ini --no-timing --junit "${WORK}/nonchar.xml"
                WORKING_DIRECTORY "${FIX}" TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "a\\\\ufffeb\\\\uffffc\\\\u2028d \\(nonchar-name.ini\\)")
  string(APPEND problems "check nonchar-name.ini: exit ${rc}, the name not shown escaped:\n${out}${err}\n")
endif()
file(READ "${WORK}/nonchar.xml" junit HEX)
if(junit MATCHES "^(..)*efbfbe" OR junit MATCHES "^(..)*efbfbf")
  string(APPEND problems "the JUnit report holds U+FFFE or U+FFFF\n")
endif()
if(NOT junit MATCHES "^(..)*61efbfbd62efbfbd63")
  string(APPEND problems "the JUnit report does not name the scenario a\\ufffdb\\ufffdc\n")
endif()
# An option value that is not UTF-8 is refused naming the option, its
# value escaped (GOption said "Invalid byte sequence in conversion input").
string(ASCII 255 ff)
execute_process(COMMAND "${TABSIM}" replay control-name.ini --token "x${ff}" WORKING_DIRECTORY "${FIX}" TIMEOUT 60
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--token x\\\\xff: not valid UTF-8; allowed: text in UTF-8 \\(see tabsim replay --help\\)")
  string(APPEND problems "replay --token x\\xff: exit ${rc}\n${out}${err}\n")
endif()

if(NOT problems STREQUAL "")
  message(FATAL_ERROR "${problems}")
endif()
message(STATUS "control characters from input are printed escaped")
