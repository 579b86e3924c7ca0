# mermaid_text.cmake - a Mermaid diagram says what the text timeline says.
#
# cmake -DTABSIM=path -DSCENARIO=file -DOUTDIR=dir -P mermaid_text.cmake
#
# SCENARIO must expect a duplicate that a send timed out after delivery
# causes (faults-server-web-locks.ini).  `tabsim check SCENARIO --mermaid M`
# must exit 0, and M must draw
#  - a storage read with the result its timeline line prints: the
#    `length -> ok` of the line "length   -> ok" (it read "-> null");
#  - the timed-out send's answer with whether it was delivered, as the
#    line's "; server fault: timeout after delivery" (it read "timeout").
cmake_minimum_required(VERSION 3.25)
foreach(var TABSIM SCENARIO OUTDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "mermaid_text.cmake needs -D${var}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${OUTDIR}")
set(mmd "${OUTDIR}/text.mmd")
file(REMOVE "${mmd}")
execute_process(COMMAND "${TABSIM}" check "${SCENARIO}" --context 0 --mermaid "${mmd}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tabsim check ${SCENARIO} exited ${rc}, expected 0\n${out}\n${err}")
endif()
file(READ "${mmd}" text)
if(NOT out MATCHES "\n +[0-9.]+ +tab[0-9]+ +#[0-9]+ +length +-> ok ")
  message(FATAL_ERROR "the timeline has no \"length -> ok\" line to compare with:\n${out}")
endif()
if(NOT text MATCHES "\n    T[0-9]+->>LS: [^\n]*: length -> ok\n" OR text MATCHES "length -> null")
  message(FATAL_ERROR "the diagram does not draw the length read as the timeline prints it (-> ok):\n${text}")
endif()
if(NOT out MATCHES "\n +[0-9.]+ +tab[0-9]+ +#[0-9]+ +sent +-> timeout +; server fault: timeout after delivery")
  message(FATAL_ERROR "the timeline has no send that timed out after delivery:\n${out}")
endif()
if(NOT text MATCHES "\n    Server->>T[0-9]+: timeout: server fault: timeout after delivery\n")
  message(FATAL_ERROR "the diagram does not say that the timed-out send was delivered:\n${text}")
endif()
