# report_lint.cmake - included by the report tests (reports.cmake,
# stop.cmake): the outside tools' word on a JSON and a JUnit report, each
# only when present (python3 -m json.tool, xmllint --noout), so that the
# reports a CI job hands on parse for more than tabsim's own reader.
function(report_lint json xml)
  if(PYTHON)
    execute_process(COMMAND "${PYTHON}" -m json.tool "${json}" RESULT_VARIABLE prc OUTPUT_QUIET ERROR_VARIABLE perr)
    if(NOT prc EQUAL 0)
      message(FATAL_ERROR "python3 -m json.tool rejects the report: ${perr}")
    endif()
  endif()
  if(XMLLINT)
    execute_process(COMMAND "${XMLLINT}" --noout "${xml}" RESULT_VARIABLE xrc ERROR_VARIABLE xerr)
    if(NOT xrc EQUAL 0)
      file(READ "${xml}" xtext)
      message(FATAL_ERROR "xmllint rejects the JUnit report: ${xerr}\n${xtext}")
    endif()
  endif()
endfunction()
