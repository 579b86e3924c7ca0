# junit_starvation.cmake - a starvation check's JUnit testcase names its
# finding: one "starvation" property (found / none), no invariant ones.
#
# cmake -DTABSIM=path -DWORK=dir -DFOUND=file -DNONE=file -P junit_starvation.cmake
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${TABSIM}" check "${FOUND}" "${NONE}" --no-timing --junit "${WORK}/report.xml"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check exited ${rc}\n${err}")
endif()
file(READ "${WORK}/report.xml" xml)
foreach(re "<property name=\"starvation\" value=\"found\"/>" "<property name=\"starvation\" value=\"none\"/>")
  if(NOT xml MATCHES "${re}")
    message(FATAL_ERROR "no ${re} in ${WORK}/report.xml")
  endif()
endforeach()
if(xml MATCHES "invariant\\.")
  message(FATAL_ERROR "invariant properties in a starvation check's testcase: ${WORK}/report.xml")
endif()
