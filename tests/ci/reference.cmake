# reference.cmake - docs/scenario-reference.md is exactly what
# `tabsim help scenario` prints (generated from the loader's key table), so
# the reference cannot drift from the loader.  To update it:
#   build/tabsim help scenario > docs/scenario-reference.md
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND "${TABSIM}" help scenario RESULT_VARIABLE rc OUTPUT_VARIABLE out)
file(READ "${DOC}" doc)
if(NOT rc EQUAL 0 OR NOT out STREQUAL doc)
  message(FATAL_ERROR "${DOC} differs from `tabsim help scenario`; regenerate it:\n"
                      "  tabsim help scenario > docs/scenario-reference.md")
endif()
