# matrix.cmake - docs/matrix.md is exactly what `tabsim matrix scenarios/
# scenarios/suite/` prints, so the algorithm x condition table cannot drift
# from the scenarios' [expect] (which the scenario tests check against the
# code).  To update it, from the repository root:
#   build/tabsim matrix scenarios/ scenarios/suite/ > docs/matrix.md
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND "${TABSIM}" matrix scenarios/ scenarios/suite/ WORKING_DIRECTORY "${ROOT}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
file(READ "${ROOT}/docs/matrix.md" doc)
if(NOT rc EQUAL 0 OR NOT out STREQUAL doc)
  message(FATAL_ERROR "docs/matrix.md differs from `tabsim matrix scenarios/ scenarios/suite/`; regenerate it:\n"
                      "  build/tabsim matrix scenarios/ scenarios/suite/ > docs/matrix.md")
endif()
